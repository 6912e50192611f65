package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestOpenAPICommand prints the document without a database and writes it to a file.
func TestOpenAPICommand(t *testing.T) {
	var out bytes.Buffer
	cmd := newRoot()
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"openapi"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                     `json:"openapi"`
		Servers []struct{ URL string }     `json:"servers"`
		Paths   map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" || len(doc.Servers) != 1 || doc.Servers[0].URL != "/api/v1" || doc.Paths["/accounts"] == nil {
		t.Fatalf("document: openapi %q servers %v, %d paths", doc.OpenAPI, doc.Servers, len(doc.Paths))
	}

	file := filepath.Join(t.TempDir(), "openapi.json")
	cmd = newRoot()
	cmd.SetArgs([]string{"openapi", "--out", file})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(file); err != nil || !bytes.Equal(b, out.Bytes()) {
		t.Fatalf("--out wrote %d bytes (%v), want the printed document", len(b), err)
	}
}
