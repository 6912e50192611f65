package demo

import (
	"fmt"
	"math"
	"strings"
	"time"
)

var industries = []string{"technology", "manufacturing", "finance", "retail", "healthcare", "education", "energy", "logistics", "government", "other"}

// industry holds what differs by industry: how common it is, how big its companies and deals
// are, and how readily it buys (a multiplier on every stage's conversion).
type industry struct {
	Weight, ChinaWeight float64
	Employees           float64 // median head count
	RevenuePerEmployee  float64 // USD
	DealMedian          float64 // USD
	Win                 float64 // stage conversion multiplier
	CycleFactor         float64 // sales cycle length multiplier
}

var industryInfo = map[string]industry{
	"technology":    {18, 14, 400, 250_000, 42_000, 1.05, 0.9},
	"manufacturing": {20, 30, 1200, 200_000, 75_000, 1.00, 1.0},
	"finance":       {8, 6, 2000, 400_000, 95_000, 0.95, 1.25},
	"retail":        {10, 8, 800, 150_000, 30_000, 1.02, 0.85},
	"healthcare":    {9, 7, 900, 180_000, 55_000, 0.98, 1.15},
	"education":     {6, 5, 600, 80_000, 22_000, 1.00, 1.1},
	"energy":        {9, 10, 1500, 500_000, 110_000, 0.97, 1.2},
	"logistics":     {11, 12, 700, 170_000, 48_000, 1.03, 0.9},
	"government":    {5, 5, 500, 0, 85_000, 0.90, 1.45},
	"other":         {4, 3, 200, 120_000, 18_000, 1.00, 0.9},
}

// acct is an account being generated, with the hidden facts that shape its history.
type acct struct {
	Zone, Industry, Culture string
	City                    *city
	Chinese                 bool   // name and people in Chinese
	Name, Short, Domain     string // Short is the name without city and legal form
	brand, word             han    // name parts, reused by subsidiaries (Latin in Han for English names)
	Employees               int
	Size                    float64 // deal size factor around 1
	Owner                   int     // user index
	Parent                  int     // account index of the parent, or -1
	Legacy                  bool    // a customer since before the history window
	Since, Churned          time.Time
	AtRisk                  bool // shows the early signs of churn without having churned
	Contacts                []int
	Primary                 int // contact index, or -1
	Taken                   bool
}

// contactInfo is a generated contact.
type contactInfo struct {
	Account int
	P       person
	Title   title
	Email   string
	Phone   string
	NoEmail bool
}

// naming builds account names and keeps them unique when unique is set.
type naming struct {
	used   map[string]bool
	unique bool
}

// newAccount generates an account of zone (nil parent) or a subsidiary of parent.
func (r *rng) newAccount(zone string, parent *acct, nm *naming) *acct {
	cs, ws := citiesOf(zone)
	a := &acct{Zone: zone, City: cs[r.weighted(ws)], Parent: -1, Primary: -1}
	if parent != nil {
		a.Industry, a.Chinese, a.brand, a.word = parent.Industry, parent.Chinese, parent.brand, parent.word
	} else {
		w := make([]float64, len(industries))
		for i, ind := range industries {
			w[i] = industryInfo[ind].Weight
			if zone == zoneChina {
				w[i] = industryInfo[ind].ChinaWeight
			}
		}
		a.Industry = industries[r.weighted(w)]
		a.Chinese = zone == zoneChina && r.chance(0.85)
	}
	c := countries[a.City.Country]
	switch {
	case a.Chinese:
		a.Culture = "zh"
	case zone == zoneChina: // a foreign-invested company in China: mostly Chinese staff
		a.Culture = "zh"
		if r.chance(0.3) {
			a.Culture = "en"
		}
	default:
		a.Culture = c.Cultures[r.weighted(c.Mix)]
	}
	for try := 0; ; try++ {
		if parent == nil {
			r.accountName(a)
		} else {
			r.subsidiaryName(a, parent)
		}
		if !nm.unique || !nm.used[a.Name] || try > 20 {
			break
		}
	}
	if nm.used != nil {
		nm.used[a.Name] = true
	}
	info := industryInfo[a.Industry]
	a.Employees = max(8, int(r.logNormal(info.Employees, 1.0)))
	if parent != nil {
		a.Employees = max(8, a.Employees/3)
	}
	a.Size = math.Min(2.5, math.Max(0.5, math.Pow(float64(a.Employees)/800, 0.25)))
	return a
}

func (r *rng) accountName(a *acct) {
	if a.Chinese {
		a.brand = pick(r, zhBrands)
		if a.Industry == "government" {
			dept := pick(r, zhGovernment)
			a.Name, a.Short = a.City.Name+"市"+dept.Han, a.City.Name+dept.Han
			a.Domain = zhCityPinyin[a.City.Name] + "-" + dept.Pinyin + ".gov.example.com"
			return
		}
		a.word = pick(r, zhIndustryWords[a.Industry])
		a.Short = a.brand.Han + a.word.Han
		legal := pick(r, countries["中国"].Legal)
		if r.chance(0.6) {
			a.Name = a.City.Name + a.Short + legal
		} else {
			a.Name = a.Short + legal
		}
		a.Domain = a.brand.Pinyin + "-" + a.word.Pinyin + ".example.com"
		return
	}
	a.brand, a.word = han{Han: pick(r, enPrefixes)}, han{Han: pick(r, enIndustryWords[a.Industry])}
	if a.Industry == "government" {
		a.Name = "City of " + latinCity(a.City) + " " + a.word.Han
		a.Short = latinCity(a.City) + " " + a.word.Han
		a.Domain = ascii(strings.ReplaceAll(latinCity(a.City), " ", "")) + ".gov.example.com"
		return
	}
	a.Short = a.brand.Han + " " + a.word.Han
	a.Name = withLegal(a.Short, r.legal(a.City))
	a.Domain = ascii(a.brand.Han+strings.Fields(a.word.Han)[0]) + ".example.com"
}

func (r *rng) subsidiaryName(a, parent *acct) {
	if a.Chinese && a.Industry != "government" {
		a.Short = a.brand.Han + a.word.Han
		a.Name = a.Short + "(" + a.City.Name + ")有限公司"
		a.Domain = parent.Domain
		return
	}
	if a.Industry == "government" {
		r.accountName(a)
		return
	}
	a.Short = parent.Short
	a.Name = withLegal(a.Short+" "+latinCity(a.City), r.legal(a.City))
	a.Domain = parent.Domain
}

// legal returns a legal form for a company in c (foreign companies in China add the city).
func (r *rng) legal(c *city) string {
	if c.Zone == zoneChina {
		return "(" + zhCityPinyin[c.Name] + ") Co., Ltd."
	}
	return pick(r, countries[c.Country].Legal)
}

func withLegal(name, legal string) string {
	if strings.HasSuffix(legal, " ") { // a prefix, as "PT " in Indonesia
		return legal + name
	}
	return name + " " + legal
}

// latinCity names a city in Latin script.
func latinCity(c *city) string {
	if p, ok := zhCityPinyin[c.Name]; ok {
		return p
	}
	return c.Name
}

// accountRow returns the stored fields of a (status fields are set by the caller).
func (r *rng) accountRow(a *acct, number string) Row {
	info := industryInfo[a.Industry]
	row := Row{
		"name": a.Name, "account_number": number, "industry": a.Industry,
		"employees": int64(a.Employees), "phone": r.pattern(a.City.Phone),
		"website": "https://www." + a.Domain, "address_line": r.street(a.City),
		"city": a.City.Name, "region": a.City.Region, "country": a.City.Country,
	}
	if p := r.pattern(a.City.Postal); p != "" {
		row["postal_code"] = p
	}
	if info.RevenuePerEmployee > 0 {
		rev := float64(a.Employees) * info.RevenuePerEmployee * r.logNormal(1, 0.35)
		row["revenue"] = money(math.Round(rev/10_000) * 10_000)
	}
	if a.Chinese || a.Zone == zoneChina {
		row["email"] = pick(r, []string{"contact@", "info@", "service@"}) + a.Domain
		row["description"] = fmt.Sprintf("位于%s的%s企业，员工约%d人。", a.City.Name, industryZH[a.Industry], a.Employees)
	} else {
		row["email"] = pick(r, []string{"info@", "contact@", "hello@"}) + a.Domain
		row["description"] = fmt.Sprintf("%s organisation in %s with about %d employees.", industryEN[a.Industry], a.City.Name, a.Employees)
	}
	return row
}

var industryEN = map[string]string{"technology": "Technology", "manufacturing": "Manufacturing", "finance": "Financial services",
	"retail": "Retail", "healthcare": "Healthcare", "education": "Education", "energy": "Energy", "logistics": "Logistics",
	"government": "Public sector", "other": "Services"}

var industryZH = map[string]string{"technology": "科技", "manufacturing": "制造业", "finance": "金融服务", "retail": "零售",
	"healthcare": "医疗健康", "education": "教育", "energy": "能源", "logistics": "物流", "government": "政府机构", "other": "服务业"}

var zhCityPinyin = map[string]string{"上海": "Shanghai", "北京": "Beijing", "深圳": "Shenzhen", "广州": "Guangzhou", "杭州": "Hangzhou",
	"苏州": "Suzhou", "南京": "Nanjing", "成都": "Chengdu", "武汉": "Wuhan", "西安": "Xi'an", "天津": "Tianjin", "重庆": "Chongqing",
	"青岛": "Qingdao", "厦门": "Xiamen", "宁波": "Ningbo", "东莞": "Dongguan", "合肥": "Hefei", "长沙": "Changsha", "郑州": "Zhengzhou", "大连": "Dalian"}

// newContact generates a person working at a.
func (r *rng) newContact(a *acct, index int) contactInfo {
	cult := a.Culture
	if cult == "zh" && !a.Chinese && r.chance(0.3) {
		cult = "en"
	}
	p := r.person(cult)
	c := contactInfo{Account: index, P: p, Title: titles[r.weighted(titleWeights)], NoEmail: r.chance(0.03)}
	local := p.Latin
	if p.Chinese && r.chance(0.5) {
		local = strings.ReplaceAll(p.Latin, ".", "")
	}
	c.Email = local + "@" + a.Domain
	c.Phone = r.pattern(a.City.Phone)
	return c
}

// contactRow returns the stored fields of c.
func (r *rng) contactRow(c contactInfo, a *acct) Row {
	row := Row{"first_name": c.P.First, "last_name": c.P.Last, "email": c.Email, "phone": c.Phone,
		"mobile_phone": r.mobile(a.City), "city": a.City.Name, "country": a.City.Country, "do_not_email": c.NoEmail}
	if c.P.Chinese {
		row["job_title"], row["preferred_language"] = c.Title.ZH, "zh"
	} else {
		row["job_title"], row["preferred_language"] = c.Title.EN, "en"
	}
	return row
}

// zhText reports whether records about a should be written in Chinese.
func (a *acct) zhText() bool { return a.Chinese || (a.Zone == zoneChina && a.Culture == "zh") }
