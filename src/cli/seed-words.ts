/**
 * Word lists for realistic demo data: mainland names with pinyin (for email addresses),
 * provinces and cities, industries with the company-name endings that go with them.
 * Weights are rough real-world frequencies, so the common cases dominate as they would.
 */

type W<T> = readonly (readonly [T, number])[]
/** A character or word with its pinyin. */
export type Syllable = readonly [hanzi: string, pinyin: string]

const sp = (list: string): Syllable[] => list.split(' ').map((pair) => pair.split(':') as unknown as Syllable)

/** The most common surnames, weighted by share of the population (percent). */
export const SURNAMES: W<Syllable> = [
  ...[7.1, 7, 6.7, 5.4, 4.5, 3.1, 2.2, 2, 1.9, 1.9, 1.3, 1.2, 1.2, 1.1, 1.1, 1].map((w, i) =>
    [sp('王:wang 李:li 张:zhang 刘:liu 陈:chen 杨:yang 黄:huang 赵:zhao 吴:wu 周:zhou 徐:xu 孙:sun 马:ma 朱:zhu 胡:hu 郭:guo')[i], w] as const),
  ...sp('何:he 林:lin 高:gao 罗:luo 郑:zheng 梁:liang 谢:xie 宋:song 唐:tang 许:xu 邓:deng 韩:han 冯:feng 曹:cao').map((s) => [s, 0.6] as const),
  ...sp('彭:peng 曾:zeng 肖:xiao 田:tian 董:dong 潘:pan 袁:yuan 蔡:cai 蒋:jiang 余:yu 于:yu 杜:du 叶:ye 程:cheng 魏:wei 苏:su 吕:lv 丁:ding 任:ren').map((s) => [s, 0.3] as const),
  ...sp('卢:lu 姚:yao 沈:shen 钟:zhong 姜:jiang 崔:cui 谭:tan 陆:lu 范:fan 汪:wang 廖:liao 石:shi 金:jin 韦:wei 贾:jia 夏:xia 付:fu 方:fang 邹:zou').map((s) => [s, 0.2] as const),
  ...sp('熊:xiong 白:bai 孟:meng 秦:qin 邱:qiu 侯:hou 江:jiang 尹:yin 薛:xue 闫:yan 段:duan 雷:lei 龙:long 黎:li 史:shi 陶:tao 贺:he 毛:mao 郝:hao 顾:gu 龚:gong 邵:shao 万:wan 钱:qian 戴:dai 严:yan').map((s) => [s, 0.1] as const),
  ...sp('欧阳:ouyang 司马:sima 上官:shangguan 诸葛:zhuge').map((s) => [s, 0.02] as const)
]

export const MALE_GIVEN = sp('伟:wei 强:qiang 磊:lei 军:jun 勇:yong 杰:jie 涛:tao 明:ming 超:chao 刚:gang 平:ping 辉:hui 鹏:peng 华:hua 飞:fei 鑫:xin 波:bo 斌:bin 宇:yu 浩:hao 凯:kai 健:jian 俊:jun 帆:fan 旭:xu 宁:ning 龙:long 林:lin 阳:yang 建:jian 国:guo 志:zhi 文:wen 东:dong 海:hai 博:bo 晨:chen 子:zi 轩:xuan 睿:rui 泽:ze 然:ran 铭:ming 晓:xiao 振:zhen 天:tian 成:cheng 德:de 嘉:jia')
export const FEMALE_GIVEN = sp('芳:fang 娜:na 敏:min 静:jing 丽:li 艳:yan 娟:juan 霞:xia 秀:xiu 玲:ling 燕:yan 婷:ting 雪:xue 慧:hui 颖:ying 琳:lin 洁:jie 倩:qian 莉:li 萍:ping 红:hong 梅:mei 丹:dan 欣:xin 怡:yi 佳:jia 悦:yue 彤:tong 涵:han 雨:yu 思:si 梦:meng 晶:jing 月:yue 璐:lu 瑶:yao 蕾:lei 薇:wei 琪:qi 诗:shi 晓:xiao 嘉:jia 子:zi 文:wen 婉:wan 雅:ya')

/** Province (or municipality), its cities (districts for a municipality), weight. */
export const PROVINCES: W<readonly [province: string, cities: readonly string[]]> = [
  [['广东省', ['广州市', '深圳市', '东莞市', '佛山市', '珠海市']], 12],
  [['江苏省', ['南京市', '苏州市', '无锡市', '常州市', '南通市']], 9],
  [['浙江省', ['杭州市', '宁波市', '温州市', '绍兴市', '金华市']], 8],
  [['上海市', ['浦东新区', '徐汇区', '闵行区', '静安区', '杨浦区']], 6],
  [['北京市', ['朝阳区', '海淀区', '丰台区', '西城区', '通州区']], 6],
  [['山东省', ['济南市', '青岛市', '烟台市', '潍坊市']], 6],
  [['四川省', ['成都市', '绵阳市', '宜宾市']], 5],
  [['河南省', ['郑州市', '洛阳市', '南阳市']], 5],
  [['湖北省', ['武汉市', '宜昌市', '襄阳市']], 4],
  [['福建省', ['福州市', '厦门市', '泉州市']], 4],
  [['湖南省', ['长沙市', '株洲市', '岳阳市']], 3.5],
  [['安徽省', ['合肥市', '芜湖市']], 3],
  [['河北省', ['石家庄市', '保定市', '唐山市']], 3],
  [['重庆市', ['渝北区', '江北区', '九龙坡区']], 3],
  [['陕西省', ['西安市', '咸阳市']], 2.5],
  [['辽宁省', ['沈阳市', '大连市']], 2.5],
  [['天津市', ['滨海新区', '南开区', '和平区']], 2],
  [['江西省', ['南昌市', '赣州市']], 2],
  [['广西壮族自治区', ['南宁市', '桂林市', '柳州市']], 2],
  [['云南省', ['昆明市', '大理市']], 1.5],
  [['山西省', ['太原市', '大同市']], 1.2],
  [['贵州省', ['贵阳市', '遵义市']], 1.2],
  [['黑龙江省', ['哈尔滨市', '大庆市']], 1.2],
  [['吉林省', ['长春市', '吉林市']], 1],
  [['内蒙古自治区', ['呼和浩特市', '包头市']], 0.8],
  [['新疆维吾尔自治区', ['乌鲁木齐市']], 0.6],
  [['海南省', ['海口市', '三亚市']], 0.6],
  [['甘肃省', ['兰州市']], 0.6],
  [['宁夏回族自治区', ['银川市']], 0.3],
  [['青海省', ['西宁市']], 0.2]
]

export const ROADS = ['人民路', '中山路', '解放路', '建设路', '长江路', '和平路', '新华路', '东风路', '科技园路', '世纪大道', '滨江大道', '工业园路'] as const

/** Industry, weight, and the business-scope words its company names end with. */
export const INDUSTRIES: W<readonly [industry: string, scopes: readonly string[]]> = [
  [['制造业', ['机械制造', '精密机械', '电子科技', '新材料']], 14],
  [['零售', ['商贸', '百货', '连锁超市', '电子商务']], 12],
  [['软件和信息技术服务', ['科技', '信息技术', '网络科技', '软件']], 10],
  [['批发贸易', ['贸易', '进出口', '供应链管理']], 8],
  [['金融', ['投资管理', '融资租赁', '保险代理']], 6],
  [['教育培训', ['教育科技', '文化传播', '培训']], 6],
  [['医疗健康', ['医疗器械', '生物科技', '健康管理']], 6],
  [['建筑工程', ['建筑工程', '装饰工程', '建材']], 6],
  [['物流运输', ['物流', '供应链', '运输']], 5],
  [['餐饮', ['餐饮管理', '食品', '餐饮连锁']], 5],
  [['房地产', ['房地产开发', '物业管理', '置业']], 4],
  [['文化传媒', ['文化传媒', '广告', '影视传媒']], 4],
  [['汽车', ['汽车销售服务', '汽车零部件']], 4],
  [['专业服务', ['企业管理咨询', '人力资源服务', '知识产权代理']], 4],
  [['农业', ['农业科技', '生态农业']], 3]
]

/** Two of these make a company's trade name (字号). */
export const BRAND_SYLLABLES = sp('华:hua 信:xin 达:da 盛:sheng 泰:tai 恒:heng 源:yuan 通:tong 联:lian 鼎:ding 新:xin 智:zhi 博:bo 远:yuan 宏:hong 安:an 创:chuang 嘉:jia 汇:hui 天:tian 润:run 海:hai 瑞:rui 正:zheng 和:he 中:zhong 金:jin 隆:long 凯:kai 明:ming 诚:cheng 优:you 云:yun 启:qi 辰:chen 星:xing')

export const LEGAL_FORMS: W<string> = [['有限公司', 85], ['股份有限公司', 10], ['集团有限公司', 5]]

export const TITLES: W<string> = [
  ['总经理', 8], ['副总经理', 4], ['董事长', 2], ['采购经理', 10], ['采购专员', 8], ['财务总监', 4], ['财务经理', 6],
  ['行政主管', 6], ['IT经理', 5], ['技术总监', 4], ['市场总监', 3], ['市场经理', 6], ['销售经理', 6], ['运营经理', 6],
  ['店长', 6], ['人事经理', 4], ['项目经理', 6], ['工程师', 6]
]

export const SOURCE_CHANNELS: W<string> = [
  ['wechat', 25], ['website', 18], ['event', 10], ['import', 9], ['douyin', 8], ['cold_call', 8], ['walk_in', 8], ['ad', 8], ['partner', 6]
]

export const TAGS: W<string> = [
  ['会员', 10], ['老客户', 10], ['线上', 10], ['线下', 8], ['高意向', 8], ['价格敏感', 8], ['待回访', 7], ['活动参与', 6],
  ['复购', 6], ['VIP', 5], ['大客户', 3], ['生日关怀', 3], ['投诉过', 2]
]

export const EMAIL_DOMAINS: W<string | null> = [
  ['qq.com', 40], ['163.com', 20], ['126.com', 8], ['foxmail.com', 5], ['outlook.com', 5], ['sina.com', 4],
  ['gmail.com', 3], ['hotmail.com', 2], ['aliyun.com', 2], [null, 11] // null: the company's own domain
]

/** Mobile number segments (号段) by rough share. */
export const MOBILE_PREFIXES: W<string> = [
  ...['130', '131', '132', '133', '134', '135', '136', '137', '138', '139', '180', '181', '182', '183', '184', '185', '186', '187', '188', '189'].map((p) => [p, 3] as const),
  ...['150', '151', '152', '153', '155', '156', '157', '158', '159'].map((p) => [p, 2.5] as const),
  ...['166', '173', '176', '177', '178', '191', '198', '199'].map((p) => [p, 1] as const),
  ...['145', '147', '170', '171', '175', '193', '195'].map((p) => [p, 0.4] as const)
]

export const CONSENT_CHANNELS: W<string> = [['web_form', 4], ['wechat', 4], ['paper', 1], ['phone', 1]]

export const REFERRER_KINDS: W<'customer' | 'employee' | 'partner' | 'influencer' | 'other'> = [
  ['customer', 50], ['employee', 20], ['partner', 18], ['influencer', 8], ['other', 4]
]

export const REFUND_REASONS = ['客户退货', '质量问题', '重复付款', '协商退款', '服务未履约', '价格调整'] as const
