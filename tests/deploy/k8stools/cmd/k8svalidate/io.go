package main

import (
	"bufio"
	"bytes"
	"regexp"

	"sigs.k8s.io/yaml"
)

func bufioReader(data []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(data)) }

var commentLine = regexp.MustCompile(`(?m)^\s*#.*$`)

// stripComments drops whole-line comments (helm template's "# Source:" lines)
// so a document holding only comments is seen as empty.
func stripComments(doc []byte) []byte { return commentLine.ReplaceAll(doc, nil) }

// nameOf is the object's metadata.name, for messages.
func nameOf(doc []byte) string {
	var meta struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if yaml.Unmarshal(doc, &meta) != nil {
		return "?"
	}
	return meta.Metadata.Name
}
