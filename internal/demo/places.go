package demo

import (
	"strconv"
	"strings"
)

// Sales zones, which are also the business units of the demo company.
const (
	zoneChina    = "china"
	zoneAPAC     = "apac"
	zoneEMEA     = "emea"
	zoneAmericas = "americas"
)

var zones = []string{zoneChina, zoneAPAC, zoneEMEA, zoneAmericas}

// zoneShare is the share of accounts per zone: a company selling in China and abroad.
var zoneShare = map[string]float64{zoneChina: 0.40, zoneAPAC: 0.22, zoneEMEA: 0.20, zoneAmericas: 0.18}

// city is where an account is. Phone and postal patterns use '#' for a digit and 'A' for a
// letter; several patterns are separated by '|'.
type city struct {
	Name, Region, Country string
	Zone                  string
	Weight                float64
	Offset                float64 // hours from UTC, for office hours
	Phone, Mobile, Postal string
	Districts             []string // Chinese cities: districts used in street addresses
}

// country holds what differs by country: who works there, addresses and company legal forms.
type country struct {
	Cultures []string  // name cultures (see names.go)
	Mix      []float64 // their weights
	Streets  []string  // street patterns; {n} is a house number
	Legal    []string  // legal forms appended to a company name; "PT " is a prefix
}

var chinaStreets = []string{"科技路", "创业路", "人民路", "中山路", "建设路", "解放路", "新华路", "长江路", "学院路", "高新大道",
	"软件园路", "金融街", "工业园路", "滨江大道", "世纪大道", "科苑路", "文三路", "天府大道", "光谷大道", "锦绣路"}

var cities = []city{
	{"上海", "上海市", "中国", zoneChina, 14, 8, "+86 21 ####-####", "", "200###", []string{"浦东新区", "徐汇区", "闵行区", "静安区", "杨浦区"}},
	{"北京", "北京市", "中国", zoneChina, 13, 8, "+86 10 ####-####", "", "100###", []string{"海淀区", "朝阳区", "东城区", "丰台区"}},
	{"深圳", "广东省", "中国", zoneChina, 11, 8, "+86 755 ####-####", "", "518###", []string{"南山区", "福田区", "宝安区", "龙岗区"}},
	{"广州", "广东省", "中国", zoneChina, 8, 8, "+86 20 ####-####", "", "510###", []string{"天河区", "黄埔区", "番禺区", "越秀区"}},
	{"杭州", "浙江省", "中国", zoneChina, 8, 8, "+86 571 ####-####", "", "310###", []string{"西湖区", "滨江区", "余杭区", "上城区"}},
	{"苏州", "江苏省", "中国", zoneChina, 6, 8, "+86 512 ####-####", "", "215###", []string{"工业园区", "姑苏区", "吴中区"}},
	{"南京", "江苏省", "中国", zoneChina, 5, 8, "+86 25 ####-####", "", "210###", []string{"鼓楼区", "江宁区", "建邺区"}},
	{"成都", "四川省", "中国", zoneChina, 5, 8, "+86 28 ####-####", "", "610###", []string{"高新区", "武侯区", "锦江区"}},
	{"武汉", "湖北省", "中国", zoneChina, 4, 8, "+86 27 ####-####", "", "430###", []string{"洪山区", "江汉区", "东湖高新区"}},
	{"西安", "陕西省", "中国", zoneChina, 3, 8, "+86 29 ####-####", "", "710###", []string{"雁塔区", "未央区", "高新区"}},
	{"天津", "天津市", "中国", zoneChina, 3, 8, "+86 22 ####-####", "", "300###", []string{"滨海新区", "和平区", "南开区"}},
	{"重庆", "重庆市", "中国", zoneChina, 3, 8, "+86 23 ####-####", "", "400###", []string{"渝北区", "江北区", "九龙坡区"}},
	{"青岛", "山东省", "中国", zoneChina, 3, 8, "+86 532 ####-####", "", "266###", []string{"市南区", "崂山区", "黄岛区"}},
	{"厦门", "福建省", "中国", zoneChina, 2, 8, "+86 592 ###-####", "", "361###", []string{"思明区", "湖里区"}},
	{"宁波", "浙江省", "中国", zoneChina, 3, 8, "+86 574 ####-####", "", "315###", []string{"鄞州区", "北仑区"}},
	{"东莞", "广东省", "中国", zoneChina, 3, 8, "+86 769 ####-####", "", "523###", []string{"松山湖", "长安镇", "南城街道"}},
	{"合肥", "安徽省", "中国", zoneChina, 2, 8, "+86 551 ####-####", "", "230###", []string{"蜀山区", "包河区"}},
	{"长沙", "湖南省", "中国", zoneChina, 2, 8, "+86 731 ####-####", "", "410###", []string{"岳麓区", "雨花区"}},
	{"郑州", "河南省", "中国", zoneChina, 2, 8, "+86 371 ####-####", "", "450###", []string{"金水区", "郑东新区"}},
	{"大连", "辽宁省", "中国", zoneChina, 2, 8, "+86 411 ####-####", "", "116###", []string{"中山区", "甘井子区"}},

	{"Singapore", "Singapore", "Singapore", zoneAPAC, 5, 8, "+65 6### ####", "+65 9### ####", "######", nil},
	{"Tokyo", "Tokyo", "Japan", zoneAPAC, 4, 9, "+81 3-####-####", "+81 90-####-####", "1##-####", nil},
	{"Osaka", "Osaka", "Japan", zoneAPAC, 2, 9, "+81 6-####-####", "+81 80-####-####", "5##-####", nil},
	{"Seoul", "Seoul", "South Korea", zoneAPAC, 3, 9, "+82 2-####-####", "+82 10-####-####", "0####", nil},
	{"Sydney", "New South Wales", "Australia", zoneAPAC, 3, 10, "+61 2 #### ####", "+61 4## ### ###", "2###", nil},
	{"Melbourne", "Victoria", "Australia", zoneAPAC, 2, 10, "+61 3 #### ####", "+61 4## ### ###", "3###", nil},
	{"Bangkok", "Bangkok", "Thailand", zoneAPAC, 2, 7, "+66 2 ### ####", "+66 8# ### ####", "10###", nil},
	{"Kuala Lumpur", "Federal Territory of Kuala Lumpur", "Malaysia", zoneAPAC, 2, 8, "+60 3-#### ####", "+60 1#-### ####", "5####", nil},
	{"Jakarta", "DKI Jakarta", "Indonesia", zoneAPAC, 2, 7, "+62 21 #### ####", "+62 81# #### ####", "1####", nil},
	{"Ho Chi Minh City", "Ho Chi Minh City", "Vietnam", zoneAPAC, 2, 7, "+84 28 #### ####", "+84 9# ### ####", "7#####", nil},
	{"Mumbai", "Maharashtra", "India", zoneAPAC, 2, 5.5, "+91 22 #### ####", "+91 9#### #####", "400 0##", nil},
	{"Bangalore", "Karnataka", "India", zoneAPAC, 2, 5.5, "+91 80 #### ####", "+91 9#### #####", "560 0##", nil},
	{"Hong Kong", "Hong Kong", "Hong Kong SAR", zoneAPAC, 2, 8, "+852 2### ####", "+852 9### ####", "", nil},

	{"London", "England", "United Kingdom", zoneEMEA, 5, 0, "+44 20 #### ####", "+44 7### ######", "EC# #AA|W# #AA|SE# #AA|N# #AA", nil},
	{"Manchester", "England", "United Kingdom", zoneEMEA, 2, 0, "+44 161 ### ####", "+44 7### ######", "M# #AA", nil},
	{"Paris", "Île-de-France", "France", zoneEMEA, 3, 1, "+33 1 ## ## ## ##", "+33 6 ## ## ## ##", "750##", nil},
	{"Lyon", "Auvergne-Rhône-Alpes", "France", zoneEMEA, 1, 1, "+33 4 ## ## ## ##", "+33 6 ## ## ## ##", "6900#", nil},
	{"Berlin", "Berlin", "Germany", zoneEMEA, 2, 1, "+49 30 #######", "+49 15# ########", "10###", nil},
	{"Munich", "Bavaria", "Germany", zoneEMEA, 3, 1, "+49 89 #######", "+49 17# ########", "80###", nil},
	{"Hamburg", "Hamburg", "Germany", zoneEMEA, 2, 1, "+49 40 #######", "+49 16# ########", "20###", nil},
	{"Stuttgart", "Baden-Württemberg", "Germany", zoneEMEA, 2, 1, "+49 711 ######", "+49 15# ########", "70###", nil},
	{"Amsterdam", "North Holland", "Netherlands", zoneEMEA, 2, 1, "+31 20 ### ####", "+31 6 ########", "10## AA", nil},
	{"Rotterdam", "South Holland", "Netherlands", zoneEMEA, 1, 1, "+31 10 ### ####", "+31 6 ########", "30## AA", nil},
	{"Madrid", "Community of Madrid", "Spain", zoneEMEA, 2, 1, "+34 91 ### ## ##", "+34 6## ### ###", "280##", nil},
	{"Barcelona", "Catalonia", "Spain", zoneEMEA, 1, 1, "+34 93 ### ## ##", "+34 6## ### ###", "080##", nil},
	{"Milan", "Lombardy", "Italy", zoneEMEA, 2, 1, "+39 02 #### ####", "+39 3## ### ####", "201##", nil},
	{"Zurich", "Zurich", "Switzerland", zoneEMEA, 1, 1, "+41 44 ### ## ##", "+41 7# ### ## ##", "80##", nil},
	{"Stockholm", "Stockholm", "Sweden", zoneEMEA, 1, 1, "+46 8 ### ### ##", "+46 7# ### ## ##", "1## ##", nil},
	{"Warsaw", "Masovia", "Poland", zoneEMEA, 1, 1, "+48 22 ### ## ##", "+48 5## ### ###", "0#-###", nil},
	{"Dubai", "Dubai", "United Arab Emirates", zoneEMEA, 2, 4, "+971 4 ### ####", "+971 5# ### ####", "", nil},

	{"New York", "New York", "United States", zoneAmericas, 4, -5, "+1 212-###-####", "+1 646-###-####", "100##", nil},
	{"Chicago", "Illinois", "United States", zoneAmericas, 2, -6, "+1 312-###-####", "+1 773-###-####", "606##", nil},
	{"San Francisco", "California", "United States", zoneAmericas, 3, -8, "+1 415-###-####", "+1 628-###-####", "941##", nil},
	{"Seattle", "Washington", "United States", zoneAmericas, 2, -8, "+1 206-###-####", "+1 206-###-####", "981##", nil},
	{"Austin", "Texas", "United States", zoneAmericas, 2, -6, "+1 512-###-####", "+1 737-###-####", "787##", nil},
	{"Boston", "Massachusetts", "United States", zoneAmericas, 2, -5, "+1 617-###-####", "+1 857-###-####", "021##", nil},
	{"Atlanta", "Georgia", "United States", zoneAmericas, 1, -5, "+1 404-###-####", "+1 470-###-####", "303##", nil},
	{"Detroit", "Michigan", "United States", zoneAmericas, 1, -5, "+1 313-###-####", "+1 313-###-####", "482##", nil},
	{"Toronto", "Ontario", "Canada", zoneAmericas, 2, -5, "+1 416-###-####", "+1 647-###-####", "M#A #A#", nil},
	{"Vancouver", "British Columbia", "Canada", zoneAmericas, 1, -8, "+1 604-###-####", "+1 778-###-####", "V#A #A#", nil},
	{"Mexico City", "Ciudad de México", "Mexico", zoneAmericas, 2, -6, "+52 55 #### ####", "+52 55 #### ####", "0####", nil},
	{"Monterrey", "Nuevo León", "Mexico", zoneAmericas, 1, -6, "+52 81 #### ####", "+52 81 #### ####", "64###", nil},
	{"São Paulo", "São Paulo", "Brazil", zoneAmericas, 2, -3, "+55 11 ####-####", "+55 11 9####-####", "0####-###", nil},
}

var countries = map[string]country{
	"中国":                   {[]string{"zh"}, []float64{1}, nil, []string{"有限公司", "股份有限公司"}},
	"Singapore":            {[]string{"zhl", "en", "in", "sea"}, []float64{4, 3, 2, 1}, []string{"{n} Raffles Place", "{n} Anson Road", "{n} Science Park Drive", "{n} Changi Business Park"}, []string{"Pte. Ltd."}},
	"Japan":                {[]string{"ja", "en"}, []float64{9, 1}, []string{"{n}-{n}-{n} Marunouchi, Chiyoda-ku", "{n}-{n}-{n} Shinjuku", "{n}-{n}-{n} Umeda, Kita-ku", "{n}-{n}-{n} Shibaura, Minato-ku"}, []string{"K.K.", "Co., Ltd."}},
	"South Korea":          {[]string{"ko", "en"}, []float64{9, 1}, []string{"{n} Teheran-ro, Gangnam-gu", "{n} Sejong-daero, Jung-gu", "{n} Yeoui-daero, Yeongdeungpo-gu"}, []string{"Co., Ltd.", "Corp."}},
	"Australia":            {[]string{"en", "zhl", "in"}, []float64{8, 1, 1}, []string{"{n} George Street", "{n} Collins Street", "{n} Pitt Street", "{n} Bourke Street"}, []string{"Pty Ltd"}},
	"Thailand":             {[]string{"sea", "en"}, []float64{7, 3}, []string{"{n} Sukhumvit Road", "{n} Silom Road", "{n} Rama IV Road"}, []string{"Co., Ltd.", "Public Co., Ltd."}},
	"Malaysia":             {[]string{"sea", "zhl", "in", "en"}, []float64{4, 3, 2, 1}, []string{"{n} Jalan Ampang", "{n} Jalan Bukit Bintang", "{n} Jalan Tun Razak"}, []string{"Sdn. Bhd.", "Berhad"}},
	"Indonesia":            {[]string{"sea", "en"}, []float64{8, 2}, []string{"Jl. Jend. Sudirman No. {n}", "Jl. M.H. Thamrin No. {n}", "Jl. Gatot Subroto No. {n}"}, []string{"PT ", "Tbk"}},
	"Vietnam":              {[]string{"sea", "en"}, []float64{8, 2}, []string{"{n} Nguyen Hue, District 1", "{n} Le Loi, District 1", "{n} Dien Bien Phu, Binh Thanh"}, []string{"JSC", "Co., Ltd."}},
	"India":                {[]string{"in", "en"}, []float64{9, 1}, []string{"{n} MG Road", "{n} Residency Road", "{n} Linking Road", "{n} Outer Ring Road"}, []string{"Pvt. Ltd.", "Ltd."}},
	"Hong Kong SAR":        {[]string{"zhl", "en"}, []float64{7, 3}, []string{"{n} Queen's Road Central", "{n} Nathan Road", "{n} Connaught Road", "{n} Hennessy Road"}, []string{"Limited"}},
	"United Kingdom":       {[]string{"en", "in"}, []float64{9, 1}, []string{"{n} King Street", "{n} High Street", "{n} Victoria Street", "{n} Station Road", "{n} Mill Lane"}, []string{"Ltd", "plc"}},
	"France":               {[]string{"fr", "en"}, []float64{9, 1}, []string{"{n} rue de la République", "{n} avenue Victor Hugo", "{n} rue du Commerce", "{n} boulevard Haussmann"}, []string{"SAS", "S.A."}},
	"Germany":              {[]string{"de", "en"}, []float64{9, 1}, []string{"Industriestraße {n}", "Hauptstraße {n}", "Bahnhofstraße {n}", "Hafenstraße {n}", "Goethestraße {n}"}, []string{"GmbH", "AG", "GmbH & Co. KG"}},
	"Netherlands":          {[]string{"en", "de"}, []float64{7, 3}, []string{"Keizersgracht {n}", "Stationsplein {n}", "Herengracht {n}", "Coolsingel {n}"}, []string{"B.V.", "N.V."}},
	"Spain":                {[]string{"es", "en"}, []float64{9, 1}, []string{"Calle de Alcalá, {n}", "Calle de Serrano, {n}", "Avinguda Diagonal, {n}", "Gran Vía, {n}"}, []string{"S.L.", "S.A."}},
	"Italy":                {[]string{"it", "en"}, []float64{9, 1}, []string{"Via Roma {n}", "Via Garibaldi {n}", "Corso Buenos Aires {n}", "Via Torino {n}"}, []string{"S.p.A.", "S.r.l."}},
	"Switzerland":          {[]string{"de", "fr", "it"}, []float64{6, 3, 1}, []string{"Bahnhofstrasse {n}", "Seestrasse {n}", "Limmatquai {n}"}, []string{"AG", "SA"}},
	"Sweden":               {[]string{"en", "de"}, []float64{8, 2}, []string{"Drottninggatan {n}", "Kungsgatan {n}", "Sveavägen {n}"}, []string{"AB"}},
	"Poland":               {[]string{"en", "de"}, []float64{8, 2}, []string{"ul. Marszałkowska {n}", "ul. Prosta {n}", "ul. Złota {n}"}, []string{"Sp. z o.o.", "S.A."}},
	"United Arab Emirates": {[]string{"ar", "in", "en"}, []float64{5, 3, 2}, []string{"Sheikh Zayed Road, Office {n}", "Al Wasl Road, Office {n}", "Dubai Internet City, Building {n}"}, []string{"LLC", "FZE"}},
	"United States":        {[]string{"en", "es", "in", "zhl"}, []float64{8, 1, 1, 1}, []string{"{n} Market Street", "{n} Main Street", "{n} Madison Avenue", "{n} Commerce Drive", "{n} Lakeshore Drive", "{n} Technology Way"}, []string{"Inc.", "LLC", "Corp."}},
	"Canada":               {[]string{"en", "fr", "zhl"}, []float64{7, 2, 1}, []string{"{n} Bay Street", "{n} King Street West", "{n} Granville Street"}, []string{"Inc.", "Ltd."}},
	"Mexico":               {[]string{"es"}, []float64{1}, []string{"Av. Paseo de la Reforma {n}", "Av. Insurgentes Sur {n}", "Av. Constitución {n}"}, []string{"S.A. de C.V."}},
	"Brazil":               {[]string{"es", "en"}, []float64{9, 1}, []string{"Av. Paulista, {n}", "Rua Augusta, {n}", "Av. Brigadeiro Faria Lima, {n}"}, []string{"Ltda.", "S.A."}},
}

// citiesOf returns the cities of a zone and their weights.
func citiesOf(zone string) ([]*city, []float64) {
	var cs []*city
	var ws []float64
	for i := range cities {
		if cities[i].Zone == zone {
			cs = append(cs, &cities[i])
			ws = append(ws, cities[i].Weight)
		}
	}
	return cs, ws
}

// street returns a street address in c.
func (r *rng) street(c *city) string {
	if c.Zone == zoneChina {
		return pick(r, c.Districts) + pick(r, chinaStreets) + strconv.Itoa(r.between(1, 1999)) + "号"
	}
	s := pick(r, countries[c.Country].Streets)
	for strings.Contains(s, "{n}") {
		s = strings.Replace(s, "{n}", strconv.Itoa(r.between(1, 240)), 1)
	}
	return s
}

// pattern fills one of the '|'-separated patterns of p.
func (r *rng) pattern(p string) string {
	if p == "" {
		return ""
	}
	return r.digits(pick(r, strings.Split(p, "|")))
}

// mobile returns a mobile number in c's country.
func (r *rng) mobile(c *city) string {
	if c.Zone == zoneChina {
		return r.digits(pick(r, []string{"+86 13# #### ####", "+86 15# #### ####", "+86 18# #### ####", "+86 17# #### ####"}))
	}
	return r.pattern(c.Mobile)
}
