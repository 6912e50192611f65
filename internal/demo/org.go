package demo

import (
	"strconv"

	"github.com/shopspring/decimal"
)

// The demo company is Kestrel Systems (红隼系统): industrial IoT gateways and sensors, the Kestrel
// Cloud platform sold per device, software modules and services.

// CompanyDomain is the email domain of the demo company's users.
const CompanyDomain = "kestrel.example.com"

// staff is a user of the demo company.
type staff struct {
	Name, Email, Title, Lang string
	Zone                     string // "" for headquarters
	Role                     string // sales, service, marketing or manager
}

var demoStaff = []staff{
	{"胡军", "hu.jun", "全球销售总监", "zh", "", "manager"},
	{"林嘉怡", "lin.jiayi", "市场经理", "zh", "", "marketing"},
	{"王磊", "wang.lei", "销售经理", "zh", zoneChina, "sales"},
	{"陈静", "chen.jing", "大客户经理", "zh", zoneChina, "sales"},
	{"刘洋", "liu.yang", "销售经理", "zh", zoneChina, "sales"},
	{"张敏", "zhang.min", "渠道销售经理", "zh", zoneChina, "sales"},
	{"赵婷", "zhao.ting", "客户成功经理", "zh", zoneChina, "service"},
	{"孙浩", "sun.hao", "技术支持工程师", "zh", zoneChina, "service"},
	{"周雪", "zhou.xue", "技术支持工程师", "zh", zoneChina, "service"},
	{"Priya Nair", "priya.nair", "Account Executive", "en", zoneAPAC, "sales"},
	{"Kenji Watanabe", "kenji.watanabe", "Account Executive", "en", zoneAPAC, "sales"},
	{"Daniel Tan", "daniel.tan", "Support Engineer", "en", zoneAPAC, "service"},
	{"Sophie Martin", "sophie.martin", "Account Executive", "en", zoneEMEA, "sales"},
	{"Lukas Becker", "lukas.becker", "Account Executive", "en", zoneEMEA, "sales"},
	{"Emma Clarke", "emma.clarke", "Support Engineer", "en", zoneEMEA, "service"},
	{"Michael Brooks", "michael.brooks", "Account Executive", "en", zoneAmericas, "sales"},
	{"Olivia Hernandez", "olivia.hernandez", "Account Executive", "en", zoneAmericas, "sales"},
	{"Jason Reed", "jason.reed", "Support Engineer", "en", zoneAmericas, "service"},
}

// Person is one of the demo company's people, as a user of the demo.
type Person struct {
	Name, Email, Title string
	Role               string // sales, service, marketing or manager
	Zone               string // "" for headquarters
}

// Staff returns the demo company's people; their emails are their sign-in names.
func Staff() []Person {
	out := make([]Person, len(demoStaff))
	for i, s := range demoStaff {
		out[i] = Person{Name: s.Name, Email: s.Email + "@" + CompanyDomain, Title: s.Title, Role: s.Role, Zone: s.Zone}
	}
	return out
}

// staffIndex returns the indexes of the staff of a zone with a role.
func staffIndex(zone, role string) []int {
	var out []int
	for i, s := range demoStaff {
		if s.Zone == zone && s.Role == role {
			out = append(out, i)
		}
	}
	return out
}

var businessUnits = []struct{ Name, Zone, Description string }{
	{"Kestrel Systems 红隼系统", "", "Headquarters (Shanghai): industrial IoT gateways, sensors and the Kestrel Cloud platform"},
	{"China 中国区", zoneChina, "中国大陆的销售与服务"},
	{"APAC", zoneAPAC, "Asia-Pacific outside mainland China"},
	{"EMEA", zoneEMEA, "Europe, Middle East and Africa"},
	{"Americas", zoneAmericas, "North and Latin America"},
}

var teams = []struct{ Name, Zone, Role, Description string }{
	{"China Sales 中国区销售", zoneChina, "sales", "中国区销售团队"},
	{"China Service 中国区客户服务", zoneChina, "service", "中国区技术支持与客户成功"},
	{"APAC Sales", zoneAPAC, "sales", "Account executives for Asia-Pacific"},
	{"EMEA Sales", zoneEMEA, "sales", "Account executives for Europe and the Middle East"},
	{"Americas Sales", zoneAmericas, "sales", "Account executives for the Americas"},
	{"International Support", "", "service", "Support engineers outside China, follow-the-sun"},
}

// product is an item of the price list.
type product struct {
	Number, Name, Family, Unit string
	Price                      float64
	Description                string
	Active                     bool
}

var products = []product{
	{"KH-100", "Kestrel Hub Mini", "hardware", "each", 490, "Edge gateway with 4 sensor ports, Ethernet and Wi-Fi", true},
	{"KH-300", "Kestrel Hub Pro", "hardware", "each", 1290, "Edge gateway with 16 ports, 4G backup and local storage", true},
	{"KH-900", "Kestrel Hub Industrial", "hardware", "each", 2900, "IP67 gateway for -40 to 70 °C, Modbus and OPC UA", true},
	{"KH-050", "Kestrel Hub Classic", "hardware", "each", 350, "First-generation gateway (discontinued; spare parts only)", false},
	{"KS-T10", "Kestrel Sense Temperature & Humidity", "hardware", "each", 45, "Wireless temperature and humidity sensor", true},
	{"KS-V20", "Kestrel Sense Vibration", "hardware", "each", 120, "Tri-axial vibration sensor for motors and pumps", true},
	{"KS-E30", "Kestrel Sense Energy Meter", "hardware", "each", 260, "Three-phase clamp-on energy meter", true},
	{"KS-A40", "Kestrel Sense Air Quality", "hardware", "each", 95, "CO2, PM2.5 and VOC sensor", true},
	{"KC-200", "Kestrel Edge Camera", "hardware", "each", 380, "Camera with on-device vision for counting and safety", true},
	{"KR-500", "Kestrel Rack Server", "hardware", "each", 8500, "On-premises server for private deployments", true},
	{"KST-LIC", "Kestrel Studio licence", "software", "seat", 2400, "Designer for dashboards, rules and workflows (perpetual)", true},
	{"KAN-MOD", "Kestrel Analytics module", "software", "site", 6000, "Historian and analytics for one site (perpetual)", true},
	{"KPM-MOD", "Predictive Maintenance module", "software", "site", 9500, "Vibration models that predict failures (perpetual)", true},
	{"KEM-MOD", "Energy Management module", "software", "site", 7200, "Baselines, savings and ISO 50001 reports (perpetual)", true},
	{"KCL-STA", "Kestrel Cloud Starter", "subscription", "device/year", 60, "Cloud connectivity, 30 days of history", true},
	{"KCL-BUS", "Kestrel Cloud Business", "subscription", "device/year", 120, "Cloud platform, 1 year of history, alarms and API", true},
	{"KCL-ENT", "Kestrel Cloud Enterprise", "subscription", "device/year", 240, "Cloud platform, 3 years of history, SSO, audit and SLA", true},
	{"KSP-PRE", "Premium Support", "subscription", "year", 12000, "24×7 support with a named engineer", true},
	{"KDR-ADD", "Extended Data Retention", "subscription", "TB/year", 1800, "Additional storage for raw telemetry", true},
	{"KSSO-ADD", "SSO & Audit add-on", "subscription", "year", 3600, "SAML/OIDC single sign-on and audit log export", true},
	{"SVC-ONB", "Onboarding package", "service", "package", 5000, "Project kick-off, site survey and configuration", true},
	{"SVC-INS", "On-site installation", "service", "day", 1200, "Installation by a certified engineer", true},
	{"SVC-TRN", "Training", "service", "seat", 300, "One-day administrator or operator training", true},
	{"SVC-INT", "Integration consulting", "service", "day", 1600, "ERP, MES and SCADA integration", true},
	{"SVC-CUS", "Custom dashboard development", "service", "day", 1400, "Dashboards and reports built for you", true},
	{"SVC-HCK", "Annual health check", "service", "package", 4500, "Yearly review of devices, rules and security", true},
}

func productIndex(number string) int {
	for i, p := range products {
		if p.Number == number {
			return i
		}
	}
	panic("demo: unknown product " + number)
}

// orgTables returns business units, users, teams and products, and the team memberships.
func orgTables(d *Dataset) {
	var bus []Row
	for i, b := range businessUnits {
		r := Row{"name": b.Name, "description": b.Description}
		if i > 0 {
			r["parent_business_unit_id"] = Ref{"business_unit", 0}
		}
		bus = append(bus, r)
	}
	d.add("business_unit", bus[:1]) // the root before the units that refer to it
	d.add("business_unit", bus[1:])
	var users []Row
	for _, s := range demoStaff {
		bu := 0
		for i, b := range businessUnits {
			if b.Zone == s.Zone {
				bu = i
			}
		}
		users = append(users, Row{"full_name": s.Name, "email": s.Email + "@" + CompanyDomain, "title": s.Title,
			"language": s.Lang, "business_unit_id": Ref{"business_unit", bu}, "phone": "+86 21 5080 " + pad4(1000+len(users)*7)})
	}
	d.add("user", users)
	var ts []Row
	for ti, t := range teams {
		bu := 0
		for i, b := range businessUnits {
			if b.Zone == t.Zone {
				bu = i
			}
		}
		ts = append(ts, Row{"name": t.Name, "team_type": "owner", "business_unit_id": Ref{"business_unit", bu}, "description": t.Description})
		for ui, s := range demoStaff {
			if s.Role == t.Role && (s.Zone == t.Zone || (t.Zone == "" && s.Zone != zoneChina && s.Zone != "")) {
				d.Links = append(d.Links, Link{From: Ref{"team", ti}, Nav: "members", To: Ref{"user", ui}})
			}
		}
	}
	d.add("team", ts)
	var ps []Row
	for _, p := range products {
		ps = append(ps, Row{"name": p.Name, "product_number": p.Number, "description": p.Description,
			"unit_price": decimal.NewFromFloat(p.Price), "unit": p.Unit, "family": p.Family, "is_active": p.Active})
	}
	d.add("product", ps)
}

func pad4(n int) string {
	s := "0000" + strconv.Itoa(n)
	return s[len(s)-4:]
}
