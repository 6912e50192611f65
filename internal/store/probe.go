package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Index probes under row-level security (PostgreSQL). A query of the application role reads a
// table through its tenant policy, and PostgreSQL may then use a condition of the query as an
// index condition only when its operator is leakproof (it cannot reveal a row the policy hides,
// through an error say). A GIN containment (keys @> …) or full-text match (tsv @@ …) is not, so
// under the policy such a query scans every row of the table. A Probe is the query run instead:
// a SECURITY DEFINER function, owned by the tables' owner (which the policies do not bind), whose
// body reads only the rows of the session's tenant (SessionTenant) and so uses the index.

// SessionTenant is the tenant the session names (SET meridian.tenant_id), as a uuid; NULL when
// it names none. A Probe's body limits every table it reads with it.
const SessionTenant = sessionTenant + `::uuid`

// A Probe is a SQL function the application role may execute, run with the privileges of the
// tables' owner. Its Body must read only rows whose tenant is SessionTenant.
type Probe struct {
	Name    string // function name, meridian_…
	Args    string // parameter list, e.g. "p_entity text, p_key bigint"
	Returns string // return type, e.g. "SETOF uuid"
	Body    string // one SQL query
}

var (
	probesMu sync.Mutex
	probes   []Probe
)

// RegisterProbe adds p to the probes every PostgreSQL store with an application role defines
// (GrantAppRole). Packages register theirs in init.
func RegisterProbe(p Probe) {
	if !strings.HasPrefix(p.Name, "meridian_") || !strings.Contains(p.Body, SessionTenant) {
		panic("store: a probe is named meridian_… and reads only the session's tenant: " + p.Name)
	}
	probesMu.Lock()
	defer probesMu.Unlock()
	probes = append(probes, p)
}

func registeredProbes() []Probe {
	probesMu.Lock()
	defer probesMu.Unlock()
	return slices.Clone(probes)
}

// UnderTenantPolicy reports whether ctx's queries run as the application role, bound by the
// tenant policies (a request's connection on PostgreSQL): a look-up that needs an index the
// policies keep it from uses its Probe then.
func (s *Store) UnderTenantPolicy(ctx context.Context) bool { return tenantConnFrom(ctx) != nil }

// defineProbes creates (or replaces) the registered probes in the current schema and lets role,
// and nobody else, execute them (in ctx's transaction, as the tables' owner). A probe's
// search_path is fixed to the schema, where the role cannot create objects.
func (s *Store) defineProbes(ctx context.Context, schema, role string) error {
	for _, p := range registeredProbes() {
		sig := Quote(p.Name) + `(` + p.Args + `)`
		def := `CREATE OR REPLACE FUNCTION ` + sig + ` RETURNS ` + p.Returns +
			` LANGUAGE sql STABLE SECURITY DEFINER SET search_path = ` + Quote(schema) + `, pg_temp AS $probe$` + p.Body + `$probe$`
		if _, err := s.Exec(ctx, def); err != nil {
			return fmt.Errorf("store: probe %s: %w", p.Name, err)
		}
		if _, err := s.Exec(ctx, `REVOKE ALL ON FUNCTION `+sig+` FROM PUBLIC`); err != nil {
			return fmt.Errorf("store: probe %s: %w", p.Name, err)
		}
		if _, err := s.Exec(ctx, `GRANT EXECUTE ON FUNCTION `+sig+` TO `+Quote(role)); err != nil {
			return fmt.Errorf("store: probe %s: %w", p.Name, err)
		}
	}
	return nil
}
