package demo

import (
	"strings"
	"unicode"
)

// han is a Chinese name part with its pinyin, which emails and domains are made from.
type han struct{ Han, Pinyin string }

// Chinese surnames, most common first (the weights follow the order).
var zhSurnames = []han{
	{"王", "Wang"}, {"李", "Li"}, {"张", "Zhang"}, {"刘", "Liu"}, {"陈", "Chen"}, {"杨", "Yang"}, {"黄", "Huang"}, {"赵", "Zhao"},
	{"吴", "Wu"}, {"周", "Zhou"}, {"徐", "Xu"}, {"孙", "Sun"}, {"马", "Ma"}, {"朱", "Zhu"}, {"胡", "Hu"}, {"郭", "Guo"},
	{"何", "He"}, {"高", "Gao"}, {"林", "Lin"}, {"罗", "Luo"}, {"郑", "Zheng"}, {"梁", "Liang"}, {"谢", "Xie"}, {"宋", "Song"},
	{"唐", "Tang"}, {"许", "Xu"}, {"韩", "Han"}, {"冯", "Feng"}, {"邓", "Deng"}, {"曹", "Cao"}, {"彭", "Peng"}, {"曾", "Zeng"},
	{"肖", "Xiao"}, {"田", "Tian"}, {"董", "Dong"}, {"袁", "Yuan"}, {"潘", "Pan"}, {"于", "Yu"}, {"蒋", "Jiang"}, {"蔡", "Cai"},
	{"余", "Yu"}, {"杜", "Du"}, {"叶", "Ye"}, {"程", "Cheng"}, {"苏", "Su"}, {"魏", "Wei"}, {"吕", "Lyu"}, {"丁", "Ding"},
	{"任", "Ren"}, {"沈", "Shen"}, {"姚", "Yao"}, {"卢", "Lu"}, {"姜", "Jiang"}, {"崔", "Cui"}, {"钟", "Zhong"}, {"谭", "Tan"},
	{"陆", "Lu"}, {"汪", "Wang"}, {"范", "Fan"}, {"金", "Jin"}, {"石", "Shi"}, {"廖", "Liao"}, {"贾", "Jia"}, {"夏", "Xia"},
	{"韦", "Wei"}, {"付", "Fu"}, {"方", "Fang"}, {"白", "Bai"}, {"邹", "Zou"}, {"孟", "Meng"}, {"熊", "Xiong"}, {"秦", "Qin"},
	{"邱", "Qiu"}, {"江", "Jiang"}, {"尹", "Yin"}, {"薛", "Xue"}, {"闫", "Yan"}, {"段", "Duan"}, {"雷", "Lei"}, {"侯", "Hou"},
	{"龙", "Long"}, {"史", "Shi"}, {"陶", "Tao"}, {"黎", "Li"}, {"贺", "He"}, {"顾", "Gu"}, {"毛", "Mao"}, {"郝", "Hao"},
	{"龚", "Gong"}, {"邵", "Shao"}, {"万", "Wan"}, {"钱", "Qian"}, {"严", "Yan"}, {"武", "Wu"}, {"戴", "Dai"}, {"孔", "Kong"},
	{"欧阳", "Ouyang"}, {"司马", "Sima"}, {"上官", "Shangguan"},
}

// Chinese given names.
var zhGiven = []han{
	{"伟", "Wei"}, {"芳", "Fang"}, {"娜", "Na"}, {"秀英", "Xiuying"}, {"敏", "Min"}, {"静", "Jing"}, {"丽", "Li"}, {"强", "Qiang"},
	{"磊", "Lei"}, {"军", "Jun"}, {"洋", "Yang"}, {"勇", "Yong"}, {"艳", "Yan"}, {"杰", "Jie"}, {"娟", "Juan"}, {"涛", "Tao"},
	{"明", "Ming"}, {"超", "Chao"}, {"秀兰", "Xiulan"}, {"霞", "Xia"}, {"平", "Ping"}, {"刚", "Gang"}, {"建华", "Jianhua"},
	{"建国", "Jianguo"}, {"志强", "Zhiqiang"}, {"晓明", "Xiaoming"}, {"海燕", "Haiyan"}, {"欣怡", "Xinyi"}, {"子涵", "Zihan"},
	{"浩然", "Haoran"}, {"宇轩", "Yuxuan"}, {"梓萱", "Zixuan"}, {"一鸣", "Yiming"}, {"思远", "Siyuan"}, {"嘉怡", "Jiayi"},
	{"俊杰", "Junjie"}, {"文博", "Wenbo"}, {"佳琪", "Jiaqi"}, {"志伟", "Zhiwei"}, {"丽娟", "Lijuan"}, {"国强", "Guoqiang"},
	{"春梅", "Chunmei"}, {"晨", "Chen"}, {"琳", "Lin"}, {"颖", "Ying"}, {"鹏", "Peng"}, {"斌", "Bin"}, {"波", "Bo"}, {"辉", "Hui"},
	{"华", "Hua"}, {"红", "Hong"}, {"宁", "Ning"}, {"凯", "Kai"}, {"婷", "Ting"}, {"雪", "Xue"}, {"昊", "Hao"}, {"倩", "Qian"},
	{"亮", "Liang"}, {"蕾", "Lei"}, {"晶", "Jing"}, {"璐", "Lu"}, {"瑶", "Yao"}, {"航", "Hang"}, {"睿", "Rui"}, {"晓东", "Xiaodong"},
	{"立新", "Lixin"}, {"建军", "Jianjun"}, {"玉兰", "Yulan"}, {"美玲", "Meiling"}, {"子豪", "Zihao"}, {"雅婷", "Yating"},
	{"天宇", "Tianyu"}, {"梦琪", "Mengqi"}, {"明轩", "Mingxuan"}, {"晓燕", "Xiaoyan"}, {"振华", "Zhenhua"}, {"文静", "Wenjing"},
}

// culture is a pool of names written in Latin script.
type culture struct{ First, Last []string }

var cultures = map[string]culture{
	"en": {
		First: strings.Fields("James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph Jessica Thomas Sarah Christopher Karen Daniel Lisa Matthew Nancy Anthony Sandra Mark Ashley Andrew Emily Joshua Michelle Kevin Amanda Brian Melissa Ryan Laura Oliver Charlotte Harry Amelia George Olivia Jack Isla Noah Emma Liam Sophie Ethan Grace Lucas Chloe Benjamin Hannah Samuel Megan Rachel Simon Claire Peter Fiona Neil"),
		Last:  strings.Fields("Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Jackson Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans Turner Parker Collins Edwards Stewart Morris Murphy Cook Rogers Morgan Cooper Peterson Reed Bailey Bell Kelly Howard Ward Cox Richardson Wood Watson Brooks Bennett Gray Hughes Price Sanders Myers Ross Foster O'Brien Sullivan Fraser MacDonald Wallace Fletcher Chapman"),
	},
	"zhl": { // Chinese names romanized, as in Singapore, Hong Kong, Malaysia and abroad
		First: strings.Fields("Wei Ming Jia Hui Li Na Jun Xin Yi Kai Mei Ling Hao Chen Jing Yu Tao Lin Hong Ying Kelvin Jason Vivian Cindy Eric Alvin Grace Jacky"),
		Last:  strings.Fields("Tan Lim Lee Ng Ong Wong Goh Chua Chan Koh Teo Ang Yeo Chen Wang Zhang Liu Huang Lau Cheung Leung Ho"),
	},
	"ja": {
		First: strings.Fields("Haruto Yui Sota Aoi Ren Hina Kenji Yuki Takumi Sakura Daiki Misaki Hiroshi Naoko Shota Emi Kaito Yuna Takeshi Ayumi"),
		Last:  strings.Fields("Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato Yoshida Yamada Sasaki Matsumoto Inoue Kimura Hayashi Shimizu"),
	},
	"ko": {
		First: strings.Fields("Min-jun Seo-yeon Ji-ho Ha-eun Do-yun Ji-woo Seung-hyun Soo-jin Hyun-woo Eun-ji Jae-won Yu-na Sung-min Hye-jin"),
		Last:  strings.Fields("Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Shin Oh Seo"),
	},
	"in": {
		First: strings.Fields("Aarav Priya Rohan Ananya Vikram Kavya Arjun Sneha Rahul Deepika Amit Neha Sanjay Pooja Karthik Divya Suresh Lakshmi Rajesh Meera"),
		Last:  strings.Fields("Sharma Patel Singh Kumar Gupta Reddy Iyer Nair Mehta Joshi Rao Desai Chopra Banerjee Menon Pillai Agarwal Kapoor"),
	},
	"de": {
		First: strings.Fields("Lukas Leon Finn Jonas Paul Felix Maximilian Anna Lea Lena Marie Laura Julia Katharina Sabine Thomas Andreas Stefan Jürgen Birgit Matthias Ute"),
		Last:  strings.Fields("Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hartmann Lange"),
	},
	"fr": {
		First: strings.Fields("Camille Louis Léa Hugo Manon Jules Chloé Lucas Inès Arthur Julien Nicolas Céline Pierre Élodie Antoine Mathilde Sébastien Claire François"),
		Last:  strings.Fields("Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel Garnier Rousseau Bertrand Roux Fournier Girard"),
	},
	"es": {
		First: strings.Fields("Sofía Mateo Lucía Santiago Valentina Diego Camila Alejandro Isabella Javier Carmen Pablo Ana Carlos María João Gabriel Beatriz Fernanda Rafael"),
		Last:  strings.Fields("García Rodríguez Martínez López González Hernández Pérez Sánchez Ramírez Torres Flores Rivera Gómez Díaz Silva Santos Oliveira Souza Costa Moreno"),
	},
	"it": {
		First: strings.Fields("Giulia Marco Francesca Alessandro Chiara Luca Sara Matteo Elena Davide Federica Giorgio"),
		Last:  strings.Fields("Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo"),
	},
	"sea": {
		First: strings.Fields("Minh Linh Anh Duc Budi Siti Dewi Arif Nurul Somchai Ploy Anan Hafiz Aisyah Putri Thanh Hieu Rizky"),
		Last:  strings.Fields("Nguyen Tran Le Pham Hoang Santoso Wijaya Halim Saputra Rahman Ismail Abdullah Chaiyaporn Srisuk Wongsawat Vo"),
	},
	"ar": {
		First: strings.Fields("Ahmed Fatima Omar Layla Khalid Mariam Yousef Noura Hassan Aisha Tariq Rania"),
		Last:  strings.Fields("Al Mansouri|Haddad|Khan|Rahman|Saleh|Nasser|Al Hashimi|Farouk|Aziz"),
	},
}

func init() { // surnames with spaces are written with '|'
	c := cultures["ar"]
	c.Last = strings.Split(strings.Join(c.Last, " "), "|")
	cultures["ar"] = c
}

// person is a generated name.
type person struct {
	First, Last string // as written (Chinese characters for culture "zh")
	Latin       string // "first.last" in ASCII, for email addresses
	Chinese     bool   // written in Chinese characters
}

// surnameWeights favours common Chinese surnames.
var surnameWeights = func() []float64 {
	w := make([]float64, len(zhSurnames))
	for i := range w {
		w[i] = 1 / (1 + float64(i)*0.15)
	}
	return w
}()

// person returns a name of a culture.
func (r *rng) person(cult string) person {
	if cult == "zh" {
		s := zhSurnames[r.weighted(surnameWeights)]
		f := pick(r, zhGiven)
		return person{First: f.Han, Last: s.Han, Latin: ascii(f.Pinyin + "." + s.Pinyin), Chinese: true}
	}
	c := cultures[cult]
	f, l := pick(r, c.First), pick(r, c.Last)
	return person{First: f, Last: l, Latin: ascii(f + "." + l)}
}

// full returns the name as the records service composes it.
func (p person) full() string {
	if p.Chinese {
		return p.Last + p.First
	}
	return p.First + " " + p.Last
}

// ascii lower-cases s and strips accents, spaces and punctuation other than dots and dashes.
func ascii(s string) string {
	var b strings.Builder
	for _, r := range foldAccents.Replace(strings.ToLower(s)) {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var foldAccents = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "à", "a", "á", "a", "â", "a", "ã", "a",
	"ç", "c", "è", "e", "é", "e", "ê", "e", "ë", "e", "í", "i", "î", "i", "ï", "i", "ñ", "n", "ó", "o", "ô", "o", "õ", "o",
	"ú", "u", "ù", "u", "û", "u", "ł", "l", "ø", "o", "æ", "ae", "'", "")

// title is a job title in both languages; Level ranks seniority (3 executive … 0 staff).
type title struct {
	EN, ZH string
	Level  int
}

var titles = []title{
	{"CEO", "首席执行官", 3}, {"General Manager", "总经理", 3}, {"CTO", "首席技术官", 3}, {"CIO", "首席信息官", 3},
	{"CFO", "首席财务官", 3}, {"COO", "首席运营官", 3}, {"VP of Operations", "运营副总裁", 3}, {"VP of Engineering", "技术副总裁", 3},
	{"IT Director", "信息技术总监", 2}, {"Operations Director", "运营总监", 2}, {"Plant Director", "工厂厂长", 2},
	{"Procurement Director", "采购总监", 2}, {"Head of Digital Transformation", "数字化转型负责人", 2}, {"Finance Director", "财务总监", 2},
	{"IT Manager", "信息部经理", 1}, {"Procurement Manager", "采购经理", 1}, {"Facilities Manager", "设施经理", 1},
	{"Engineering Manager", "工程经理", 1}, {"Project Manager", "项目经理", 1}, {"Maintenance Manager", "设备维护经理", 1},
	{"Data Analyst", "数据分析师", 0}, {"Systems Engineer", "系统工程师", 0}, {"Network Engineer", "网络工程师", 0},
	{"Purchasing Specialist", "采购专员", 0}, {"Operations Analyst", "运营分析师", 0}, {"Software Developer", "软件开发工程师", 0},
}

// titleWeights: organisations have more staff than executives, but CRMs hold more managers.
var titleWeights = func() []float64 {
	w := make([]float64, len(titles))
	for i, t := range titles {
		w[i] = []float64{1.2, 1.6, 2.2, 1.2}[t.Level]
	}
	return w
}()

// Company name parts. English names are prefix + industry word; Chinese ones are brand + industry
// word + legal form, often led by the city.
var enPrefixes = strings.Fields("Alder Brightwater Cobalt Crestline Evergreen Fairhaven Granite Harbor Ironwood Juniper Keystone Lakeshore Northgate Oakridge Pinecrest Quarry Redwood Silverline Summit Tidewater Vantage Westbrook Bluefin Copperfield Driftwood Eastlake Falcon Greenfield Highland Kingsley Larkspur Maple Nimbus Orion Pioneer Riverside Sterling Thornbury Vertex Windmere Apex Beacon Cascade Delta Ember Frontier Glacier Horizon Insight Jadeite Kinetic Lumen Mosaic Nova Optima Polaris Quantum Radiant Sequoia Trident Unity Vector Zenith Atlas Boreal Clearwater Dovetail Everest Foxglove Halcyon Ironbridge")

var enIndustryWords = map[string][]string{
	"technology":    {"Software", "Systems", "Technologies", "Digital", "Labs", "Networks", "Data"},
	"manufacturing": {"Manufacturing", "Industries", "Precision", "Components", "Machinery", "Automotive", "Plastics"},
	"finance":       {"Capital", "Financial", "Bank", "Insurance", "Payments", "Asset Management"},
	"retail":        {"Retail", "Stores", "Markets", "Outfitters", "Brands", "Foods"},
	"healthcare":    {"Health", "Medical", "Clinics", "Biotech", "Pharma", "Diagnostics"},
	"education":     {"Learning", "Academy", "Institute", "Education", "College"},
	"energy":        {"Energy", "Power", "Solar", "Renewables", "Utilities", "Grid"},
	"logistics":     {"Logistics", "Freight", "Shipping", "Transport", "Supply Chain", "Cold Chain"},
	"government":    {"Digital Services", "Transport Authority", "Water Board", "Public Works", "Smart City Office"},
	"other":         {"Media", "Consulting", "Hospitality", "Properties", "Group"},
}

var zhBrands = []han{
	{"华信", "huaxin"}, {"瑞达", "ruida"}, {"恒通", "hengtong"}, {"东方", "dongfang"}, {"新元", "xinyuan"}, {"鼎盛", "dingsheng"},
	{"启明", "qiming"}, {"天合", "tianhe"}, {"远景", "yuanjing"}, {"联创", "lianchuang"}, {"嘉禾", "jiahe"}, {"金桥", "jinqiao"},
	{"博远", "boyuan"}, {"星河", "xinghe"}, {"海纳", "haina"}, {"润泽", "runze"}, {"凯达", "kaida"}, {"宏图", "hongtu"},
	{"伟业", "weiye"}, {"精诚", "jingcheng"}, {"恒泰", "hengtai"}, {"中联", "zhonglian"}, {"天瑞", "tianrui"}, {"国信", "guoxin"},
	{"长风", "changfeng"}, {"云帆", "yunfan"}, {"明德", "mingde"}, {"汇通", "huitong"}, {"华锐", "huarui"}, {"德润", "derun"},
	{"盛世", "shengshi"}, {"鸿运", "hongyun"}, {"光华", "guanghua"}, {"泰和", "taihe"}, {"青松", "qingsong"}, {"朗峰", "langfeng"},
	{"银河", "yinhe"}, {"通达", "tongda"}, {"永兴", "yongxing"}, {"卓越", "zhuoyue"}, {"创远", "chuangyuan"}, {"明阳", "mingyang"},
	{"科达", "keda"}, {"华拓", "huatuo"}, {"信达", "xinda"}, {"安捷", "anjie"}, {"晨光", "chenguang"}, {"万象", "wanxiang"},
	{"锦程", "jincheng"}, {"振邦", "zhenbang"}, {"奥特", "aote"}, {"旭日", "xuri"}, {"蓝海", "lanhai"}, {"北辰", "beichen"},
}

var zhIndustryWords = map[string][]han{
	"technology":    {{"科技", "tech"}, {"信息技术", "it"}, {"软件", "soft"}, {"智能科技", "ai"}, {"网络科技", "net"}, {"数据科技", "data"}},
	"manufacturing": {{"精密制造", "mfg"}, {"机械", "machinery"}, {"电子", "electronics"}, {"新材料", "materials"}, {"汽车零部件", "auto"}, {"装备", "equipment"}},
	"finance":       {{"金融服务", "finance"}, {"投资", "invest"}, {"保险经纪", "insurance"}, {"融资租赁", "leasing"}, {"支付", "pay"}},
	"retail":        {{"商贸", "trade"}, {"零售", "retail"}, {"连锁超市", "mart"}, {"电子商务", "ecommerce"}, {"食品", "food"}},
	"healthcare":    {{"医疗器械", "medical"}, {"生物科技", "bio"}, {"医药", "pharma"}, {"健康管理", "health"}},
	"education":     {{"教育科技", "edu"}, {"培训", "training"}, {"职业教育", "academy"}},
	"energy":        {{"新能源", "energy"}, {"电力", "power"}, {"光伏", "solar"}, {"储能", "storage"}},
	"logistics":     {{"物流", "logistics"}, {"供应链", "supplychain"}, {"国际货运", "freight"}, {"仓储", "warehouse"}},
	"other":         {{"文化传媒", "media"}, {"咨询", "consulting"}, {"物业管理", "property"}, {"酒店管理", "hotels"}},
}

// Chinese government customers are city offices.
var zhGovernment = []han{{"数据资源管理局", "data"}, {"交通运输局", "transport"}, {"生态环境局", "environment"}, {"城市管理局", "urban"}, {"水务局", "water"}, {"大数据中心", "bigdata"}}
