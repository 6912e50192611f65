package metadata

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

//go:embed system.json
var systemJSON []byte

// Definitions is the serialised form of a set of entities and relationships.
type Definitions struct {
	Entities      []*Entity     `json:"entities"`
	Relationships []*ManyToMany `json:"relationships"`
}

// System returns fresh copies of the entity and relationship definitions shipped in the binary,
// normalized and validated.
func System() (*Definitions, error) {
	var d Definitions
	if err := json.Unmarshal(systemJSON, &d); err != nil {
		return nil, fmt.Errorf("metadata: system definitions: %w", err)
	}
	for _, e := range d.Entities {
		e.Normalize()
	}
	// Validate against the complete set so that forward references between system entities work.
	m := NewModel(d.Entities, d.Relationships)
	for _, e := range d.Entities {
		if err := ValidateEntity(m, e); err != nil {
			return nil, fmt.Errorf("metadata: system entity %s: %w", e.Name, err)
		}
	}
	for _, r := range d.Relationships {
		if err := ValidateRelationship(m.WithRelationship(r.Name, nil), r); err != nil {
			return nil, fmt.Errorf("metadata: system relationship %s: %w", r.Name, err)
		}
	}
	if err := ValidateNavigation(m); err != nil {
		return nil, fmt.Errorf("metadata: system navigation: %w", err)
	}
	return &d, nil
}
