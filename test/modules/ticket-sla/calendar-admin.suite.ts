import t from 'tap'
import { forEachDatabase } from '../../helper.js'

const CAL = 'query { workingCalendar { timeZone workingDays intervals { start end } version days(from: "2025-01-01", to: "2025-12-31") { date kind name } } }'
const UPDATE = 'mutation($i: UpdateWorkingCalendarInput!) { updateWorkingCalendar(input: $i) { calendar { workingDays intervals { start end } version } userErrors { field message code } } }'
const SET = 'mutation($d: [CalendarDayInput!]!) { setCalendarDays(input: $d) { days { date kind name } userErrors { field message code } } }'
const DAYS = 'query($f: LocalDate!, $t: LocalDate!) { calendarDays(from: $f, to: $t) { date kind name } }'
const DELETE = 'mutation($d: [LocalDate!]!) { deleteCalendarDays(dates: $d) { deletedDates userErrors { field code } } }'

/** China's 2025 public holidays and make-up working days (国务院办公厅通知), as one setCalendarDays call. */
const CHINA_2025 = [
  { date: '2025-01-01', kind: 'holiday', name: '元旦' },
  ...['2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', '2025-02-01', '2025-02-02', '2025-02-03', '2025-02-04'].map((date) => ({ date, kind: 'holiday', name: '春节' })),
  { date: '2025-01-26', kind: 'workday', name: '春节调休' }, { date: '2025-02-08', kind: 'workday', name: '春节调休' },
  ...['2025-04-04', '2025-04-05', '2025-04-06'].map((date) => ({ date, kind: 'holiday', name: '清明节' })),
  ...['2025-05-01', '2025-05-02', '2025-05-03', '2025-05-04', '2025-05-05'].map((date) => ({ date, kind: 'holiday', name: '劳动节' })),
  { date: '2025-04-27', kind: 'workday', name: '劳动节调休' },
  ...['2025-05-31', '2025-06-01', '2025-06-02'].map((date) => ({ date, kind: 'holiday', name: '端午节' })),
  ...['2025-10-01', '2025-10-02', '2025-10-03', '2025-10-04', '2025-10-05', '2025-10-06', '2025-10-07', '2025-10-08'].map((date) => ({ date, kind: 'holiday', name: '国庆节、中秋节' })),
  { date: '2025-09-28', kind: 'workday', name: '国庆节调休' }, { date: '2025-10-11', kind: 'workday', name: '国庆节调休' }
]

await forEachDatabase(t, async (t, ctx) => {
  const team = await ctx.createTeam()
  const service = await ctx.staff('service', { teamId: team })
  const manager = await ctx.staff('manager', { teamId: team })
  const sales = await ctx.staff('sales', { teamId: team })
  const integration = await ctx.keyToken('integration')
  const marketing = (await ctx.staff('marketing')).token

  await t.test('the default calendar: Monday to Friday 09:00–12:00 and 13:00–18:00 in REPORTING_TIMEZONE', async (t) => {
    const r = await ctx.gql(sales.token, CAL)
    t.same(r.data.workingCalendar, { timeZone: 'Asia/Shanghai', workingDays: [1, 2, 3, 4, 5], intervals: [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '18:00' }], version: 1, days: [] })
    const rest = await ctx.rest(marketing, 'GET', '/api/v1/service/calendar')
    t.equal(rest.statusCode, 200)
    t.equal(rest.headers.etag, '"1"')
  })

  await t.test('a year of Chinese public holidays and 调休 days loads in one call, and reads back by range', async (t) => {
    const r = await ctx.gql(service.token, SET, { d: CHINA_2025 })
    t.same(r.data.setCalendarDays.userErrors, [])
    t.equal(r.data.setCalendarDays.days.length, CHINA_2025.length)
    const oct = await ctx.gql(sales.token, DAYS, { f: '2025-09-27', t: '2025-10-12' })
    t.same(oct.data.calendarDays.map((d: { date: string; kind: string }) => `${d.date}:${d.kind}`), [
      '2025-09-28:workday', ...['01', '02', '03', '04', '05', '06', '07', '08'].map((d) => `2025-10-${d}:holiday`), '2025-10-11:workday'
    ])
    const events = await ctx.sql<{ n: number }>("select count(*)::int as n from outbox_events where type = 'calendar_days.set'")
    t.equal(events[0].n, 1, 'one event for the whole year')
    // Again with one change: upsert, only the change is announced.
    const again = await ctx.gql(integration, SET, { d: [...CHINA_2025.slice(1), { date: '2025-01-01', kind: 'holiday', name: '元旦节' }] })
    t.same(again.data.setCalendarDays.userErrors, [])
    const audit = await ctx.sql<{ changes: { days: unknown[] } }>("select changes from audit_entries where action = 'calendar_days.set' order by at desc, id desc limit 1")
    t.same(audit[0].changes.days, [{ date: '2025-01-01', kind: 'holiday', name: '元旦节', previousKind: 'holiday' }])
    const rest = await ctx.rest(sales.token, 'GET', '/api/v1/service/calendar/days?from=2025-01-01&to=2025-01-31')
    t.same(rest.json().data.map((d: { date: string }) => d.date), ['2025-01-01', '2025-01-26', '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31'])
  })

  await t.test('setCalendarDays refuses bad dates, duplicates and unknown kinds as userErrors, changing nothing', async (t) => {
    const dup = await ctx.gql(service.token, SET, { d: [{ date: '2026-01-01', kind: 'holiday' }, { date: '2026-01-01', kind: 'workday' }] })
    t.match(dup.data.setCalendarDays.userErrors, [{ code: 'DUPLICATE_DATE' }])
    const bad = await ctx.gql(service.token, SET, { d: [{ date: '2026-02-30', kind: 'holiday' }] })
    t.equal(bad.errors?.[0].extensions?.code, 'BAD_USER_INPUT', 'the LocalDate scalar refuses it')
    const badRest = await ctx.rest(service.token, 'PUT', '/api/v1/service/calendar/days', [{ date: '2026-02-30', kind: 'holiday' }])
    t.equal(badRest.statusCode, 400)
    t.match(badRest.json().errors, [{ field: '0.date', code: 'INVALID_DATE' }])
    const inline = await ctx.gql(service.token, 'mutation { setCalendarDays(input: [{ date: "2026-01-01", kind: holiday, name: "元旦" }]) { days { date kind name } userErrors { code } } }')
    t.same(inline.data.setCalendarDays, { days: [{ date: '2026-01-01', kind: 'holiday', name: '元旦' }], userErrors: [] })
    const kind = await ctx.gql(service.token, 'mutation { setCalendarDays(input: [{ date: "2026-01-02", kind: festival }]) { days { date } } }')
    t.equal(kind.errors?.[0].extensions?.code, 'BAD_USER_INPUT')
    const rest = await ctx.rest(service.token, 'PUT', '/api/v1/service/calendar/days', [{ date: '2026-13-01', kind: 'holiday' }])
    t.equal(rest.statusCode, 400)
    t.equal(rest.headers['content-type'], 'application/problem+json; charset=utf-8')
    const range = await ctx.rest(service.token, 'GET', '/api/v1/service/calendar/days?from=2026-02-01&to=2026-01-01')
    t.equal(range.statusCode, 400)
    t.match(range.json().errors, [{ field: 'to', code: 'INVALID_RANGE' }])
  })

  await t.test('deleteCalendarDays removes dates and says which existed', async (t) => {
    const r = await ctx.gql(service.token, DELETE, { d: ['2026-01-01', '2026-07-07'] })
    t.same(r.data.deleteCalendarDays, { deletedDates: ['2026-01-01'], userErrors: [] })
    const rest = await ctx.rest(integration, 'DELETE', '/api/v1/service/calendar/days?dates=2025-10-11&dates=2025-09-28')
    t.same(rest.json(), { deletedDates: ['2025-09-28', '2025-10-11'] })
    const ev = await ctx.sql<{ data: { dates: string[] } }>("select data from outbox_events where type = 'calendar_days.deleted' order by occurred_at, id")
    t.same(ev.map((e) => e.data.dates), [['2026-01-01'], ['2025-09-28', '2025-10-11']])
  })

  await t.test('updateWorkingCalendar: validated, versioned, audited and announced', async (t) => {
    const six = await ctx.gql(service.token, UPDATE, { i: { workingDays: [6, 1, 2, 3, 4, 5], intervals: [{ start: '08:30', end: '12:00' }, { start: '13:30', end: '17:30' }], expectedVersion: 1 } })
    t.same(six.data.updateWorkingCalendar, {
      calendar: { workingDays: [1, 2, 3, 4, 5, 6], intervals: [{ start: '08:30', end: '12:00' }, { start: '13:30', end: '17:30' }], version: 2 }, userErrors: []
    })
    const stale = await ctx.gql(service.token, UPDATE, { i: { workingDays: [1, 2, 3, 4, 5], expectedVersion: 1 } })
    t.match(stale.data.updateWorkingCalendar.userErrors, [{ code: 'STALE_VERSION' }])
    const overlap = await ctx.gql(service.token, UPDATE, { i: { intervals: [{ start: '09:00', end: '12:30' }, { start: '12:00', end: '18:00' }] } })
    t.match(overlap.data.updateWorkingCalendar.userErrors, [{ field: 'intervals', code: 'INVALID_CALENDAR', message: /overlap/ }])
    const backwards = await ctx.gql(service.token, 'mutation { updateWorkingCalendar(input: { intervals: [{ start: "18:00", end: "09:00" }] }) { calendar { version } userErrors { field code } } }')
    t.match(backwards.data.updateWorkingCalendar.userErrors, [{ field: 'intervals', code: 'INVALID_CALENDAR' }])
    const badTime = await ctx.gql(service.token, UPDATE, { i: { intervals: [{ start: '9:00', end: '25:00' }] } })
    t.ok(badTime.data.updateWorkingCalendar.userErrors.length > 0)
    const none = await ctx.gql(service.token, UPDATE, { i: { workingDays: [] } })
    t.match(none.data.updateWorkingCalendar.userErrors, [{ field: 'workingDays', code: 'INVALID_CALENDAR' }])
    const day8 = await ctx.gql(service.token, UPDATE, { i: { workingDays: [8] } })
    t.ok(day8.data.updateWorkingCalendar.userErrors.length > 0)
    const zh = await ctx.gql(service.token, UPDATE, { i: { intervals: [{ start: '09:00', end: '12:30' }, { start: '12:00', end: '18:00' }] } }, { 'accept-language': 'zh-CN' })
    t.match(zh.data.updateWorkingCalendar.userErrors, [{ message: '时段须按顺序排列且不能重叠' }])
    const rest = await ctx.rest(integration, 'PUT', '/api/v1/service/calendar', { workingDays: [1, 2, 3, 4, 5], intervals: [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '18:00' }] }, { 'if-match': '"2"' })
    t.equal(rest.statusCode, 200)
    t.equal(rest.json().version, 3)
    const staleRest = await ctx.rest(integration, 'PUT', '/api/v1/service/calendar', { workingDays: [1] }, { 'if-match': '"2"' })
    t.equal(staleRest.statusCode, 412)
    const ev = await ctx.sql<{ data: { calendar: { version: number } } }>("select data from outbox_events where type = 'working_calendar.updated' order by occurred_at, id")
    t.same(ev.map((e) => e.data.calendar.version), [2, 3])
    const audit = await ctx.sql<{ n: number }>("select count(*)::int as n from audit_entries where action = 'working_calendar.updated'")
    t.equal(audit[0].n, 2)
  })

  await t.test('only admin, service and integration change the calendar; every ticket reader reads it; a referrer does not', async (t) => {
    for (const token of [manager.token, sales.token, marketing]) {
      const r = await ctx.gql(token, UPDATE, { i: { workingDays: [1] } })
      t.equal(r.errors?.[0].extensions?.code, 'FORBIDDEN')
      const s = await ctx.gql(token, SET, { d: [{ date: '2027-01-01', kind: 'holiday' }] })
      t.equal(s.errors?.[0].extensions?.code, 'FORBIDDEN')
      t.equal((await ctx.rest(token, 'DELETE', '/api/v1/service/calendar/days?dates=2025-01-01')).statusCode, 403)
      t.equal((await ctx.gql(token, CAL)).data.workingCalendar.timeZone, 'Asia/Shanghai')
    }
    const admin = await ctx.gql(ctx.adminToken, SET, { d: [{ date: '2027-01-01', kind: 'holiday' }] })
    t.same(admin.data.setCalendarDays.userErrors, [])
    const referrer = await ctx.gql(ctx.adminToken, 'mutation { createReferrer(input: { name: "R", kind: other }) { referrer { id } } }')
    const token = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId: referrer.data.createReferrer.referrer.id })
    const rt = token.json().accessToken
    t.equal((await ctx.gql(rt, CAL)).errors?.[0].extensions?.code, 'FORBIDDEN')
    t.equal((await ctx.rest(rt, 'GET', '/api/v1/sla-policies')).statusCode, 403)
  })
})
