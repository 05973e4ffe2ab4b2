// k8svalidate checks Kubernetes objects the way the API server does on
// create, using the API server's own code from k8s.io/kubernetes (pinned in
// go.mod): each YAML document is decoded strictly (unknown or duplicate
// fields are errors) into its versioned API type, defaulted and converted to
// the internal type by the API server's scheme, then run through the kind's
// registry strategy as the API server's create handler does: namespace
// check, system fields, then rest.BeforeCreate (PrepareForCreate,
// object-meta and kind validation), as `kubectl create` against a real API
// server.
//
// Usage: k8svalidate FILE.yaml...   ("-" reads stdin)
// Prints one line per object ("ok Kind/name" or the field errors) and exits
// 0 when every object is valid, 1 when one is not, 2 on unusable input.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	_ "k8s.io/kubernetes/pkg/apis/apps/install"
	_ "k8s.io/kubernetes/pkg/apis/batch/install"
	api "k8s.io/kubernetes/pkg/apis/core"
	_ "k8s.io/kubernetes/pkg/apis/core/install"
	_ "k8s.io/kubernetes/pkg/apis/policy/install"
	"k8s.io/kubernetes/pkg/registry/apps/deployment"
	"k8s.io/kubernetes/pkg/registry/apps/statefulset"
	"k8s.io/kubernetes/pkg/registry/batch/job"
	"k8s.io/kubernetes/pkg/registry/core/configmap"
	"k8s.io/kubernetes/pkg/registry/core/pod"
	"k8s.io/kubernetes/pkg/registry/core/secret"
	"k8s.io/kubernetes/pkg/registry/core/service"
	"k8s.io/kubernetes/pkg/registry/core/serviceaccount"
	"k8s.io/kubernetes/pkg/registry/policy/poddisruptionbudget"
)

// kinds: the API server's create strategy and resource name of each kind a
// chart may render.
var kinds = map[schema.GroupKind]struct {
	strategy rest.RESTCreateStrategy
	resource string
}{
	{Group: "", Kind: "ConfigMap"}:                 {configmap.Strategy, "configmaps"},
	{Group: "", Kind: "Secret"}:                    {secret.Strategy, "secrets"},
	{Group: "", Kind: "Service"}:                   {service.Strategy, "services"},
	{Group: "", Kind: "ServiceAccount"}:            {serviceaccount.Strategy, "serviceaccounts"},
	{Group: "", Kind: "Pod"}:                       {pod.Strategy, "pods"},
	{Group: "apps", Kind: "StatefulSet"}:           {statefulset.Strategy, "statefulsets"},
	{Group: "apps", Kind: "Deployment"}:            {deployment.Strategy, "deployments"},
	{Group: "batch", Kind: "Job"}:                  {job.Strategy, "jobs"},
	{Group: "policy", Kind: "PodDisruptionBudget"}: {poddisruptionbudget.Strategy, "poddisruptionbudgets"},
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: k8svalidate FILE.yaml... (- for stdin)")
		os.Exit(2)
	}
	bad, total := 0, 0
	for _, path := range os.Args[1:] {
		data, err := readInput(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", path, err)
			os.Exit(2)
		}
		n, b, err := validateStream(path, data)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", path, err)
			os.Exit(2)
		}
		total += n
		bad += b
	}
	fmt.Printf("%d objects, %d invalid\n", total, bad)
	if bad > 0 {
		os.Exit(1)
	}
}

func readInput(path string) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(path)
}

// validateStream validates every document of a multi-document YAML stream;
// returns the number of objects and of invalid ones.
func validateStream(path string, data []byte) (int, int, error) {
	codec := json.NewSerializerWithOptions(json.DefaultMetaFactory, legacyscheme.Scheme,
		legacyscheme.Scheme, json.SerializerOptions{Yaml: true, Strict: true})
	reader := utilyaml.NewYAMLReader(bufioReader(data))
	total, bad := 0, 0
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return total, bad, nil
		}
		if err != nil {
			return total, bad, err
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		total++
		if problems := validateDocument(codec, doc); len(problems) > 0 {
			bad++
			for _, p := range problems {
				fmt.Printf("%s: %s\n", path, p)
			}
		}
	}
}

// validateDocument returns what is wrong with one object (nothing if valid).
func validateDocument(codec runtime.Decoder, doc []byte) []string {
	versioned, gvk, err := codec.Decode(doc, nil, nil)
	if err != nil {
		// Strict decoding errors (unknown/duplicate fields) land here.
		return []string{fmt.Sprintf("decode: %v", err)}
	}
	kind, known := kinds[gvk.GroupKind()]
	strategy := kind.strategy
	if !known {
		return []string{fmt.Sprintf("%s: kind not validated by this tool", gvk)}
	}
	legacyscheme.Scheme.Default(versioned)
	internal, err := legacyscheme.Scheme.ConvertToVersion(versioned,
		schema.GroupVersion{Group: gvk.Group, Version: runtime.APIVersionInternal})
	if err != nil {
		return []string{fmt.Sprintf("%s: convert: %v", gvk.Kind, err)}
	}
	const namespace = "default"
	name := nameOf(doc)
	ctx := genericapirequest.WithNamespace(context.Background(), namespace)
	// The request a `kubectl create` makes (declarative validation reads it).
	ctx = genericapirequest.WithRequestInfo(ctx, &genericapirequest.RequestInfo{
		IsResourceRequest: true, Verb: "create", APIPrefix: "api", APIGroup: gvk.Group,
		APIVersion: gvk.Version, Namespace: namespace, Resource: kind.resource, Name: name,
	})
	label := fmt.Sprintf("%s/%s", gvk.Kind, name)
	// What the API server's create handler does before the registry.
	objectMeta, err := meta.Accessor(internal)
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", label, err)}
	}
	if err := rest.EnsureObjectNamespaceMatchesRequestNamespace(namespace, objectMeta); err != nil {
		return []string{fmt.Sprintf("%s: %v", label, err)}
	}
	rest.FillObjectMetaSystemFields(objectMeta)
	if service, ok := internal.(*api.Service); ok {
		beginServiceCreate(service)
	}
	if err := rest.BeforeCreate(strategy, ctx, internal); err != nil {
		return []string{fmt.Sprintf("%s: %v", label, err)}
	}
	var problems []string
	for _, warning := range strategy.WarningsOnCreate(ctx, internal) {
		problems = append(problems, fmt.Sprintf("%s: warning: %s", label, warning))
	}
	if len(problems) == 0 {
		fmt.Printf("ok %s\n", label)
	}
	return problems
}
