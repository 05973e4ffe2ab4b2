// kube2podman turns a chart's rendered objects into the kinds `podman kube
// play` runs (podman 4.3 takes Pods, Deployments, ConfigMaps and Secrets,
// not Jobs or StatefulSets). It plays the controllers' part and nothing more:
//   - an Indexed Job of N completions becomes N Pods "<job>-<i>", as the Job
//     controller makes them: the pod template unchanged plus the completion
//     index annotation and label, the job-name label and hostname
//     "<job>-<i>";
//   - any other Job becomes one Pod "<job>" from its template;
//   - a StatefulSet of N replicas becomes Pods "<name>-<i>" (hostname too);
//   - Services are left out: podman has none; on a podman network each pod
//     answers DNS under its own name (a Job's pod "<fullname>-master" is the
//     master Service's name);
//   - everything else passes through untouched.
//
// Usage: kube2podman < rendered.yaml > play.yaml
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

type object = map[string]any

func main() {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(os.Stdin))
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			fail(err)
		}
		var obj object
		if err := yaml.Unmarshal(doc, &obj); err != nil {
			fail(err)
		}
		if obj == nil {
			continue
		}
		for _, converted := range convert(obj) {
			text, err := yaml.Marshal(converted)
			if err != nil {
				fail(err)
			}
			fmt.Fprintf(out, "---\n%s", text)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "kube2podman:", err)
	os.Exit(1)
}

func convert(obj object) []object {
	name := str(field(obj, "metadata", "name"))
	spec, _ := obj["spec"].(object)
	switch obj["kind"] {
	case "Service":
		return nil
	case "Job":
		if spec["completionMode"] != "Indexed" {
			return []object{pod(spec, name, nil)}
		}
		var pods []object
		for i := 0; i < count(spec["completions"]); i++ {
			index := fmt.Sprint(i)
			marks := map[string]string{
				"batch.kubernetes.io/job-completion-index": index,
			}
			p := pod(spec, fmt.Sprintf("%s-%d", name, i), marks)
			setDefault(field(p, "metadata").(object), "labels", object{})["job-name"] = name
			pods = append(pods, p)
		}
		return pods
	case "StatefulSet":
		var pods []object
		for i := 0; i < count(spec["replicas"]); i++ {
			pods = append(pods, pod(spec, fmt.Sprintf("%s-%d", name, i), nil))
		}
		return pods
	}
	return []object{obj}
}

// pod makes the Pod `name` of a workload's spec.template, with `marks` added
// as labels and annotations (what a controller adds).
func pod(workload object, name string, marks map[string]string) object {
	template := deepCopy(workload["template"])
	meta, _ := template["metadata"].(object)
	if meta == nil {
		meta = object{}
	}
	meta["name"] = name
	for k, v := range marks {
		setDefault(meta, "labels", object{})[k] = v
		setDefault(meta, "annotations", object{})[k] = v
	}
	podSpec, _ := template["spec"].(object)
	if _, has := podSpec["hostname"]; !has {
		podSpec["hostname"] = name
	}
	return object{"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": podSpec}
}

// deepCopy copies a decoded YAML value (each pod gets its own maps).
func deepCopy(v any) object {
	text, err := yaml.Marshal(v)
	if err != nil {
		fail(err)
	}
	var copied object
	if err := yaml.Unmarshal(text, &copied); err != nil {
		fail(err)
	}
	return copied
}

func field(obj object, path ...string) any {
	var cur any = obj
	for _, key := range path {
		m, ok := cur.(object)
		if !ok {
			return nil
		}
		cur = m[key]
	}
	return cur
}

func setDefault(m object, key string, value object) object {
	if existing, ok := m[key].(object); ok {
		return existing
	}
	m[key] = value
	return value
}

func str(v any) string { s, _ := v.(string); return s }

func count(v any) int {
	if f, ok := v.(float64); ok {
		return int(f)
	}
	return 1
}
