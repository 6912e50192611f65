// Package plugin finds the web client's plugins in a folder and serves their files. A plugin is
// a sub-folder holding a plugin.json manifest and an ES module the client imports after sign-in
// (docs/plugins.md). The folder is read once, at start-up: a server administrator installs a
// plugin by copying its folder and restarting the server.
package plugin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"
)

// ManifestFile is the name of the manifest in each plugin's folder.
const ManifestFile = "plugin.json"

// URLPrefix is where the server serves plugin folders: /plugins/<name>/<file>.
const URLPrefix = "/plugins/"

// Manifest is the content of a plugin's plugin.json.
type Manifest struct {
	Name        string `json:"name"`              // equal to the folder's name
	Version     string `json:"version"`           // free text, shown to administrators
	Entry       string `json:"entry"`             // the ES module, relative to the folder (index.js)
	Description string `json:"description"`       // one line
	Enabled     *bool  `json:"enabled,omitempty"` // false: installed but not loaded
}

// Plugin is an enabled plugin as the API lists it.
type Plugin struct {
	Name        string `json:"name"`
	Version     string `json:"version"`
	Description string `json:"description"`
	// Entry is the module's URL on this server (/plugins/<name>/<entry>).
	Entry string `json:"entry"`
}

// Set is the enabled plugins of a folder, read at start-up.
type Set struct {
	root    *os.Root // nil: no plugins folder configured
	plugins []Plugin
	byName  map[string]bool
}

var (
	namePattern  = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	entryPattern = regexp.MustCompile(`^[A-Za-z0-9._/-]+\.m?js$`)
)

// Load reads every sub-folder of dir that holds a plugin.json. It returns the enabled, valid
// plugins, and one error per folder it skipped (invalid manifest, missing entry module), for the
// caller to log; only an unreadable dir itself is a returned error. dir "" gives an empty Set.
func Load(dir string) (*Set, []error, error) {
	s := &Set{byName: map[string]bool{}}
	if dir == "" {
		return s, nil, nil
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("plugins: open %s: %w", dir, err)
	}
	entries, err := fs.ReadDir(root.FS(), ".")
	if err != nil {
		root.Close()
		return nil, nil, fmt.Errorf("plugins: read %s: %w", dir, err)
	}
	s.root = root
	var skipped []error
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p, enabled, err := s.read(e.Name())
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue // a folder without a manifest is not a plugin (e.g. shared assets)
		case err != nil:
			skipped = append(skipped, fmt.Errorf("plugins: %s: %w", e.Name(), err))
		case enabled:
			s.plugins = append(s.plugins, p)
			s.byName[p.Name] = true
		}
	}
	sort.Slice(s.plugins, func(i, j int) bool { return s.plugins[i].Name < s.plugins[j].Name })
	return s, skipped, nil
}

// read checks one folder's manifest; fs.ErrNotExist means there is none.
func (s *Set) read(folder string) (Plugin, bool, error) {
	b, err := s.root.ReadFile(path.Join(folder, ManifestFile))
	if err != nil {
		return Plugin{}, false, err
	}
	var m Manifest
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return Plugin{}, false, fmt.Errorf("%s: %w", ManifestFile, err)
	}
	switch {
	case !namePattern.MatchString(m.Name):
		return Plugin{}, false, fmt.Errorf("%s: name %q: want lower-case letters, digits, '.', '_' or '-' (at most 64)", ManifestFile, m.Name)
	case m.Name != folder:
		return Plugin{}, false, fmt.Errorf("%s: name %q differs from the folder's name", ManifestFile, m.Name)
	case strings.TrimSpace(m.Version) == "":
		return Plugin{}, false, fmt.Errorf("%s: version is required", ManifestFile)
	case !entryPattern.MatchString(m.Entry) || path.Clean(m.Entry) != m.Entry || strings.HasPrefix(m.Entry, "../") || strings.HasPrefix(m.Entry, "/"):
		return Plugin{}, false, fmt.Errorf("%s: entry %q: want a .js or .mjs file inside the plugin's folder", ManifestFile, m.Entry)
	}
	if st, err := s.root.Stat(path.Join(folder, m.Entry)); err != nil || st.IsDir() {
		return Plugin{}, false, fmt.Errorf("entry module %s is missing", m.Entry)
	}
	p := Plugin{Name: m.Name, Version: m.Version, Description: m.Description, Entry: URLPrefix + m.Name + "/" + m.Entry}
	return p, m.Enabled == nil || *m.Enabled, nil
}

// List returns the enabled plugins in name order (never nil).
func (s *Set) List() []Plugin {
	if s == nil {
		return []Plugin{}
	}
	return append([]Plugin{}, s.plugins...)
}

// Close releases the folder.
func (s *Set) Close() error {
	if s == nil || s.root == nil {
		return nil
	}
	return s.root.Close()
}
