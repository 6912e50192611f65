// Package apidoc renders the machine-readable descriptions of the REST API from the metadata
// model: the OData v4 CSDL document served at /api/v1/$metadata and the OpenAPI 3.1 document
// served at /api/v1/openapi.json. Both are pure functions of a *metadata.Model, so a custom
// entity appears in them as soon as it joins the model, and both are deterministic so that
// they can be cached by model and compared in tests.
package apidoc

import (
	"bytes"
	"encoding/xml"
	"fmt"

	"github.com/meridian-crm/meridian/internal/metadata"
)

// Namespace is the CSDL schema namespace that qualifies every entity type name.
const Namespace = "Meridian"

// ContainerName is the name of the CSDL entity container that holds the entity sets.
const ContainerName = "Default"

// CSDL renders the OData v4 CSDL (EDMX XML) for the model. namespace "Meridian", one EntityContainer "Default".
//
// Each entity becomes an entity type named after the entity, keyed by id, with one property per
// column (system and companion columns included) and one navigation property per relationship;
// each entity set binds its navigation properties to the target sets.
func CSDL(m *metadata.Model) []byte {
	s := schema{Namespace: Namespace, Container: container{Name: ContainerName}}
	for _, e := range m.Entities() {
		s.EntityTypes = append(s.EntityTypes, entityTypeOf(m, e))
		s.Container.Sets = append(s.Container.Sets, entitySetOf(m, e))
	}
	doc := edmx{XMLNS: edmxNS, Version: "4.0", References: vocabularies, DataServices: dataServices{Schema: s}}
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		// The document holds only strings and fixed element types; encoding/xml escapes every
		// string, so marshalling cannot fail.
		panic(fmt.Sprintf("apidoc: marshal CSDL: %v", err))
	}
	return append([]byte(xml.Header), append(selfClose(out), '\n')...)
}

// selfClose rewrites empty elements written as <X a="1"></X> to <X a="1"/>, which halves the
// size of the document. It relies on encoding/xml escaping < and > inside attribute values, so
// the last < before "></" always opens the element being closed.
func selfClose(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for {
		i := bytes.Index(b, []byte("></"))
		if i < 0 {
			return append(out, b...)
		}
		rest := b[i+3:]
		if open := bytes.LastIndexByte(b[:i], '<'); open >= 0 {
			name := b[open+1 : i]
			if j := bytes.IndexAny(name, " \t\n"); j >= 0 {
				name = name[:j]
			}
			if len(name) > 0 && name[0] != '/' && len(rest) > len(name) &&
				bytes.Equal(rest[:len(name)], name) && rest[len(name)] == '>' {
				out = append(append(out, b[:i]...), '/', '>')
				b = rest[len(name)+1:]
				continue
			}
		}
		out = append(out, b[:i+3]...)
		b = rest
	}
}
