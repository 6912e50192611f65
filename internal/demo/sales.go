package demo

import (
	"math"
	"sort"
	"time"
)

// Stages of the sales process, the chance of moving on from each (from negotiate: of winning),
// the median days spent in each, and the probability shown while open.
var (
	stages       = []string{"qualify", "develop", "propose", "negotiate"}
	stageAdvance = []float64{0.72, 0.70, 0.68, 0.80}
	stageDays    = []float64{14, 24, 22, 18}
	stageProb    = []int64{10, 25, 50, 75}
)

// oppInfo is a generated opportunity.
type oppInfo struct {
	Account, Contact, Lead, Campaign int
	Type, Source                     string
	Opened, Close                    time.Time
	Status, Stage                    string
	Prob                             int64
	Lines                            []lineInfo
	Amount                           float64
	Reason, Competitor               string
	Theme                            int
}

// lineInfo is an opportunity line.
type lineInfo struct {
	Product                int
	Qty                    int64
	Price, Discount, Total float64
}

// genOpportunities runs the sales process: opportunities from qualified leads and outbound
// prospecting make new customers; customers expand, some renew, and about 10% of accounts churn.
func (g *gen) genOpportunities(r *rng) {
	for i, l := range g.leads {
		if l.Account < 0 {
			continue
		}
		a := g.accts[l.Account]
		typ := "new_business"
		if a.Legacy {
			typ = "expansion"
		}
		g.addOpp(r, &oppInfo{Account: l.Account, Contact: l.Contact, Lead: i, Campaign: l.Campaign, Type: typ,
			Source: l.Source, Opened: l.Qualified}, time.Time{})
	}
	for i, a := range g.accts { // outbound prospecting of accounts no lead brought
		if a.Legacy || a.Taken || !r.chance(0.5) {
			continue
		}
		ms, ws := g.leadMonths(a.Zone)
		m := ms[r.weighted(ws)]
		opened := r.dayIn(m, monthEnd(m).AddDate(0, 0, 1))
		if r.chance(0.15) {
			opened = r.dayIn(g.start.AddDate(0, -4, 0), g.start)
		}
		g.addOpp(r, &oppInfo{Account: i, Contact: g.contactOf(r, a, true), Lead: -1, Campaign: -1, Type: "new_business",
			Opened: opened}, time.Time{})
	}
	for _, o := range g.opps { // the first win makes a customer
		a := g.accts[o.Account]
		if o.Status == "won" && !a.Legacy && (a.Since.IsZero() || o.Close.Before(a.Since)) {
			a.Since = o.Close
		}
	}
	for _, a := range g.accts {
		if a.Legacy {
			a.Since = g.start.AddDate(0, 0, -r.between(60, 5*365))
		}
	}
	g.chooseChurn(r)
	for i, a := range g.accts {
		if a.Since.IsZero() {
			continue
		}
		end := g.now
		if !a.Churned.IsZero() {
			end = a.Churned
		}
		// Expansion pipeline runs before the window too, so that the window starts full; what
		// closed before it is not kept.
		from := a.Since.AddDate(0, 1, 0)
		if warm := g.start.AddDate(0, -6, 0); from.Before(warm) {
			from = warm
		}
		for m := monthStart(from); m.Before(end); m = m.AddDate(0, 1, 0) {
			rate := 0.65 * math.Sqrt(a.Size) / 12 * leadSeason[a.Zone][m.Month()-1]
			if !a.Churned.IsZero() && m.After(a.Churned.AddDate(0, -6, 0)) {
				rate *= 0.35
			}
			if a.AtRisk && m.After(g.now.AddDate(0, -4, 0)) {
				rate *= 0.5
			}
			for k := r.poisson(rate); k > 0; k-- {
				opened := r.dayIn(m, monthEnd(m).AddDate(0, 0, 1))
				if opened.Before(from) || !opened.Before(end) {
					continue
				}
				g.addOpp(r, &oppInfo{Account: i, Contact: g.contactOf(r, a, false), Lead: -1, Campaign: -1, Type: "expansion", Opened: opened}, a.Churned)
			}
		}
		// Renewals: the one a churned account lost, and a few multi-year contracts coming up.
		if !a.Churned.IsZero() {
			o := &oppInfo{Account: i, Contact: g.contactOf(r, a, true), Lead: -1, Campaign: -1, Type: "renewal",
				Opened: a.Churned.AddDate(0, 0, -r.between(45, 90))}
			g.addOpp(r, o, a.Churned)
			g.lose(r, o, a.Churned, true)
			continue
		}
		for y := a.Since.AddDate(1, 0, 0); y.AddDate(0, 0, -60).Before(g.now); y = y.AddDate(1, 0, 0) {
			if y.After(g.start.AddDate(0, 2, 0)) && r.chance(0.12) {
				g.addOpp(r, &oppInfo{Account: i, Contact: g.contactOf(r, a, true), Lead: -1, Campaign: -1, Type: "renewal",
					Opened: y.AddDate(0, 0, -60)}, time.Time{})
			}
		}
	}
	sort.SliceStable(g.opps, func(i, j int) bool { return g.opps[i].Opened.Before(g.opps[j].Opened) })
}

// chooseChurn marks about 10% of all accounts, among customers of at least nine months, as
// churned in the last year, and a few more as at risk.
func (g *gen) chooseChurn(r *rng) {
	var cands []int
	for _, i := range r.r.Perm(len(g.accts)) {
		a := g.accts[i]
		if !a.Since.IsZero() && a.Since.Before(g.now.AddDate(0, -9, 0)) {
			cands = append(cands, i)
		}
	}
	n := min(len(cands), int(float64(len(g.accts))*0.10+0.5))
	for _, i := range cands[:n] {
		a := g.accts[i]
		from := a.Since.AddDate(0, 6, 0)
		if y := g.now.AddDate(-1, 0, 0); from.Before(y) {
			from = y
		}
		a.Churned = r.dayIn(from, g.now.AddDate(0, 0, -14))
	}
	for _, i := range cands[n:] {
		if r.chance(0.07) {
			g.accts[i].AtRisk = true
		}
	}
}

// addOpp sizes o, builds its lines and runs its sales process; end, when set, is the day its
// account churned, which closes it as lost if it is still running.
func (g *gen) addOpp(r *rng, o *oppInfo, end time.Time) {
	a := g.accts[o.Account]
	info := industryInfo[a.Industry]
	median := info.DealMedian * a.Size * map[string]float64{"new_business": 1, "expansion": 0.45, "renewal": 0.35}[o.Type]
	target := median * r.logNormal(1, 0.8) * math.Max(sourceInfo(o.Source).ValueFactor, 0.8)
	o.Lines = g.buildLines(r, a, o.Type, target)
	for _, l := range o.Lines {
		o.Amount += l.Total
	}
	o.Theme = r.intn(len(themes[a.Industry]))
	g.simulate(r, o, a, median)
	if !end.IsZero() && (o.Status == "open" || o.Close.After(end)) {
		g.lose(r, o, end, true)
	}
	if o.Close.Before(g.start) {
		return
	}
	g.opps = append(g.opps, o)
}

// simulate walks o through the stages from its opening day until it is won, lost or still open
// today.
func (g *gen) simulate(r *rng, o *oppInfo, a *acct, median float64) {
	info := industryInfo[a.Industry]
	// Large deals are harder to win, against the account's usual size and in absolute terms.
	size := math.Pow(o.Amount/median, -0.04) * math.Pow(o.Amount/60_000, -0.05)
	mult := info.Win * sourceInfo(o.Source).WinFactor * math.Min(1.12, math.Max(0.8, size))
	cycle := info.CycleFactor * math.Pow(math.Max(o.Amount, 1000)/50_000, 0.25)
	switch o.Type {
	case "expansion":
		mult *= 1.07
		cycle *= 0.8
	case "renewal":
		mult = 1.4 // customers mostly renew
		cycle *= 0.6
	}
	t := o.Opened
	for s := range stages {
		d := days(stageDays[s] * cycle * r.logNormal(1, 0.45))
		p := math.Min(0.96, stageAdvance[s]*mult)
		end := t.Add(d)
		if s == 3 {
			end, p = g.closing(r, a, t, end, p)
		}
		if !end.Before(g.now) {
			g.open(r, o, s, end)
			return
		}
		if !r.chance(p) {
			g.lose(r, o, t.Add(time.Duration(float64(end.Sub(t))*(0.3+0.7*r.float()))), false)
			o.Stage = stages[s]
			return
		}
		t = end
	}
	o.Status, o.Stage, o.Prob, o.Close = "won", "close", 100, truncDay(t)
	if quarter(t) == 4 { // year-end budgets: customers buy more of everything
		o.Amount = 0
		for i := range o.Lines {
			l := &o.Lines[i]
			l.Qty = int64(math.Ceil(float64(l.Qty) * 1.3))
			gross := float64(l.Qty) * l.Price
			rate := l.Discount / (l.Total + l.Discount)
			l.Discount = math.Round(gross*rate*100) / 100
			l.Total = gross - l.Discount
			o.Amount += l.Total
		}
	}
}

// closing adjusts the day a negotiation ends: buyers spend their budgets before the year ends
// (Q4 deals close more often, and some January closings are pulled into December), and
// Chinese customers do not sign during the New Year holidays.
func (g *gen) closing(r *rng, a *acct, from, end time.Time, p float64) (time.Time, float64) {
	switch {
	case quarter(from) == 4 && end.Year() > from.Year() && r.chance(0.65):
		// Negotiated in the fourth quarter: signed before the year ends, often with a
		// year-end discount.
		dec := time.Date(from.Year(), 12, 10, 0, 0, 0, 0, time.UTC)
		if dec.Before(from) {
			dec = from
		}
		end = dec.Add(days(r.float() * time.Date(from.Year(), 12, 31, 0, 0, 0, 0, time.UTC).Sub(dec).Hours() / 24))
	case quarter(end) == 1 && end.Month() < time.March && r.chance(0.3):
		end = end.AddDate(0, 0, r.between(30, 60)) // waits for the new year's budget
	}
	if quarter(end) == 4 {
		p = math.Min(0.96, p*1.15)
	}
	if a.Zone == zoneChina && inCNY(end) {
		end = cny(end.Year()).AddDate(0, 0, r.between(15, 30))
	}
	return end, p
}

// open leaves o open in stage s, expected to close at the end of the month it should.
func (g *gen) open(r *rng, o *oppInfo, s int, end time.Time) {
	o.Status, o.Stage, o.Prob = "open", stages[s], stageProb[s]
	for k := s + 1; k < len(stages); k++ {
		end = end.Add(days(stageDays[k]))
	}
	if min := g.now.AddDate(0, 0, 7); end.Before(min) {
		end = min.AddDate(0, 0, r.between(0, 40))
	}
	o.Close = monthEnd(end)
	if r.chance(0.15) {
		o.Competitor = pick(r, competitorsFor(g.accts[o.Account]))
	}
}

// lose closes o as lost at t; churned says the customer left.
func (g *gen) lose(r *rng, o *oppInfo, t time.Time, churned bool) {
	a := g.accts[o.Account]
	o.Status, o.Prob, o.Close = "lost", 0, truncDay(t)
	if o.Stage == "" || o.Stage == "close" {
		o.Stage = "negotiate"
	}
	reasons := lostReasons
	if churned {
		reasons = churnReasons
	}
	k := r.intn(len(reasons))
	o.Reason = reasons[k][0]
	if a.zhText() {
		o.Reason = reasons[k][1]
	}
	if reasons[k][0] == "Lost to competitor" || (churned && k == 0) {
		o.Competitor = pick(r, competitorsFor(a))
	}
}

var lostReasons = [][2]string{
	{"No budget this year", "今年没有预算"}, {"No decision / went silent", "客户无决策，失去联系"},
	{"Requirements not met", "需求不满足"}, {"Price too high", "价格过高"}, {"Lost to competitor", "输给竞争对手"},
	{"Project postponed", "项目延期"}, {"Lost to competitor", "输给竞争对手"}, {"Procurement cancelled", "采购取消"},
}

var churnReasons = [][2]string{
	{"Not renewing: moved to a competitor", "不再续约：转向竞争对手"},
	{"Not renewing: unhappy with support", "不再续约：对技术支持不满意"},
	{"Not renewing: budget cut", "不再续约：预算削减"},
	{"Not renewing: unresolved product issues", "不再续约：产品问题未解决"},
}

func competitorsFor(a *acct) []string {
	if a.Zone == zoneChina {
		return []string{"云启物联", "智联工业云", "海川边缘计算", "Orbis Edge"}
	}
	return []string{"Orbis Edge", "Sentry IoT", "Castellan Systems", "Nimbus Industrial Cloud"}
}

// buildLines composes an order worth about target from the price list.
func (g *gen) buildLines(r *rng, a *acct, typ string, target float64) []lineInfo {
	type share struct {
		product string
		part    float64
	}
	hub := map[string]string{"manufacturing": "KH-900", "energy": "KH-900", "retail": "KH-100", "education": "KH-100", "other": "KH-100"}[a.Industry]
	if hub == "" {
		hub = "KH-300"
	}
	sensor := map[string]string{"manufacturing": "KS-V20", "energy": "KS-E30", "education": "KS-A40", "government": "KS-A40", "technology": "KS-E30"}[a.Industry]
	if sensor == "" {
		sensor = "KS-T10"
	}
	cloud := "KCL-BUS"
	switch {
	case a.Industry == "finance" || a.Industry == "government" || a.Employees > 3000:
		cloud = "KCL-ENT"
	case a.Employees < 150:
		cloud = "KCL-STA"
	}
	var parts []share
	switch typ {
	case "new_business":
		parts = []share{{hub, 0.25}, {sensor, 0.25}, {cloud, 0.25}, {"SVC-ONB", 0.1}, {pick(r, []string{"SVC-INS", "SVC-TRN"}), 0.05}}
		if m := map[string]string{"manufacturing": "KPM-MOD", "energy": "KEM-MOD", "retail": "KEM-MOD"}[a.Industry]; m != "" && r.chance(0.5) {
			parts = append(parts, share{m, 0.1})
		}
	case "expansion":
		parts = []share{{sensor, 0.35}, {hub, 0.2}, {cloud, 0.3}, {pick(r, []string{"KAN-MOD", "SVC-INT", "SVC-CUS", "KST-LIC"}), 0.15}}
	default:
		parts = []share{{cloud, 0.8}, {pick(r, []string{"KSP-PRE", "KSSO-ADD", "KDR-ADD", "SVC-HCK"}), 0.2}}
	}
	rate := 0.0
	switch {
	case target > 150_000:
		rate = 0.10 + 0.10*r.float()
	case target > 50_000:
		rate = 0.05 + 0.10*r.float()
	}
	if a.Zone == zoneChina && rate > 0 {
		rate += 0.03
	}
	var out []lineInfo
	for _, s := range parts {
		pi := productIndex(s.product)
		price := products[pi].Price
		qty := max(1, int64(math.Round(s.part*target/price)))
		gross := float64(qty) * price
		disc := math.Round(gross*rate*100) / 100
		out = append(out, lineInfo{Product: pi, Qty: qty, Price: price, Discount: disc, Total: gross - disc})
	}
	return out
}

// themes name opportunities by industry: English, Chinese.
var themes = map[string][][2]string{
	"manufacturing": {{"Smart factory pilot", "智能工厂试点"}, {"Predictive maintenance rollout", "预测性维护部署"}, {"Line monitoring", "产线监控"}},
	"energy":        {{"Substation monitoring", "变电站监测"}, {"Energy management platform", "能源管理平台"}, {"Solar farm telemetry", "光伏电站遥测"}},
	"logistics":     {{"Cold chain monitoring", "冷链监测"}, {"Warehouse IoT rollout", "仓储物联网部署"}, {"Fleet telematics", "车队远程监控"}},
	"retail":        {{"Store energy savings", "门店节能"}, {"Refrigeration monitoring", "冷柜监测"}, {"Footfall analytics", "客流分析"}},
	"healthcare":    {{"Lab cold storage monitoring", "实验室冷藏监测"}, {"Hospital building management", "医院楼宇管理"}},
	"education":     {{"Smart campus", "智慧校园"}, {"Classroom air quality", "教室空气质量监测"}},
	"government":    {{"Smart city sensors", "智慧城市感知"}, {"Water network monitoring", "供水管网监测"}, {"Air quality network", "空气质量监测网络"}},
	"finance":       {{"Data centre monitoring", "数据中心监控"}, {"Branch energy management", "网点能耗管理"}},
	"technology":    {{"Data centre monitoring", "数据中心监控"}, {"Edge platform", "边缘计算平台"}, {"OEM integration", "OEM 集成"}},
	"other":         {{"Building management", "楼宇管理"}, {"Facility monitoring", "设施监测"}},
}
