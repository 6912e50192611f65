package schema_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/records"
)

// TestChangesDuringTraffic changes the schema while requests read and write records. Run with
// -race: the published model must never be written to.
func TestChangesDuringTraffic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createProject()
	acc := e.create("account", `{"name":"Acme"}`)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := e.rec.List(e.ctx, "account", mustOpts(t, "$select=name&$expand=projects($select=name)"), records.ReadOptions{}); err != nil {
					t.Error(err)
					return
				}
				if _, err := e.rec.Create(e.ctx, "project", body(t, fmt.Sprintf(`{"name":"p%d-%d","account_id":"%s"}`, w, i, acc.ID()))); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for i := range 4 {
		if _, err := e.schema.AddAttribute(e.ctx, "contact", &metadata.Attribute{Name: fmt.Sprintf("extra%d", i), Type: metadata.TypeString}); err != nil {
			t.Error(err)
		}
		if _, err := e.schema.AddAttribute(e.ctx, "project", &metadata.Attribute{Name: fmt.Sprintf("extra%d", i), Type: metadata.TypeInteger}); err != nil {
			t.Error(err)
		}
	}
	if _, err := e.schema.CreateRelationship(e.ctx, &metadata.ManyToMany{Name: "project_contact", Entity1: "project", Entity2: "contact",
		Nav1: "team_contacts", Nav2: "projects", DisplayName: metadata.Label{EN: "Project team"}}); err != nil {
		t.Error(err)
	}
	if err := e.schema.DeleteRelationship(e.ctx, "project_contact"); err != nil {
		t.Error(err)
	}
	close(stop)
	wg.Wait()
	if a := e.model().Entity("project").Attr("extra3"); a == nil {
		t.Fatal("the last attribute is missing")
	}
}
