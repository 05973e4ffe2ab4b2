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
//     master Service's name). A Service's name resolves in Kubernetes
//     before any pod starts; here it does once its pod runs, so the pods a
//     Service selects are played first (podman plays in file order);
//   - containerPort declarations are dropped from the Pods: podman 4.3
//     publishes each on the host (Kubernetes binds no host port without
//     hostPort), so two pods declaring SIP port 5060 could not both start;
//     nothing in the containers changes;
//   - a Secret becomes a ConfigMap of the same name holding its decoded data,
//     and secret volumes configMap volumes of it: podman 4.3 writes a Secret
//     volume's files base64-encoded (and keeps the secret after `kube
//     down`); the files the containers see are then those Kubernetes mounts;
//   - each Pod gets its own copy of the ConfigMaps it mounts ("<pod>-<name>")
//     and of its emptyDir volumes: podman 4.3 makes one named volume per
//     ConfigMap or emptyDir name, shared by every pod, and rewrites a
//     ConfigMap's files as each pod is played (while the pods played before
//     read them); in Kubernetes every pod has its own;
//   - everything else passes through untouched.
//
// Usage: kube2podman < rendered.yaml > play.yaml
package main

import (
	"bufio"
	"encoding/base64"
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
	var objects []object
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
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
		objects = append(objects, obj)
	}
	selectors := serviceSelectors(objects)
	configMaps := map[string]object{}
	var pods []object
	for _, obj := range objects {
		for _, converted := range convert(obj) {
			switch converted["kind"] {
			case "ConfigMap":
				configMaps[str(field(converted, "metadata", "name"))] = converted
			case "Pod":
				pods = append(pods, converted)
			default:
				pods = append(pods, converted) // passes through, in order
			}
		}
	}
	var first, rest []object
	for _, p := range pods {
		own := localizeVolumes(p, configMaps)
		if p["kind"] != "Pod" || selected(p, selectors) {
			first = append(first, own...)
			first = append(first, p)
		} else {
			rest = append(rest, own...)
			rest = append(rest, p)
		}
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for _, converted := range append(first, rest...) {
		text, err := yaml.Marshal(converted)
		if err != nil {
			fail(err)
		}
		fmt.Fprintf(out, "---\n%s", text)
	}
}

// localizeVolumes gives pod its own ConfigMap and emptyDir volumes, named
// "<pod>-<name>"; returns the ConfigMap copies it mounts.
func localizeVolumes(pod object, configMaps map[string]object) []object {
	if pod["kind"] != "Pod" {
		return nil
	}
	podName := str(field(pod, "metadata", "name"))
	spec := pod["spec"].(object)
	renamed := map[string]string{}
	var copies []object
	volumes, _ := spec["volumes"].([]any)
	for _, v := range volumes {
		volume := v.(object)
		if source, ok := volume["configMap"].(object); ok {
			original, known := configMaps[str(source["name"])]
			if !known {
				fail(fmt.Errorf("pod %s mounts ConfigMap %v, not in the input", podName, source["name"]))
			}
			copied := deepCopy(original)
			name := podName + "-" + str(source["name"])
			copied["metadata"].(object)["name"] = name
			source["name"] = name
			copies = append(copies, copied)
		} else if _, ok := volume["emptyDir"]; ok {
			name := podName + "-" + str(volume["name"])
			renamed[str(volume["name"])] = name
			volume["name"] = name
		}
	}
	for _, c := range spec["containers"].([]any) {
		mounts, _ := c.(object)["volumeMounts"].([]any)
		for _, m := range mounts {
			if name, ok := renamed[str(m.(object)["name"])]; ok {
				m.(object)["name"] = name
			}
		}
	}
	return copies
}

// serviceSelectors are the Services' pod selectors.
func serviceSelectors(objects []object) []object {
	var selectors []object
	for _, obj := range objects {
		if selector, ok := field(obj, "spec", "selector").(object); ok && obj["kind"] == "Service" {
			selectors = append(selectors, selector)
		}
	}
	return selectors
}

// selected: a Service selects the pod (all of one selector's labels match).
func selected(pod object, selectors []object) bool {
	labels, _ := field(pod, "metadata", "labels").(object)
	for _, selector := range selectors {
		match := true
		for key, value := range selector {
			if labels[key] != value {
				match = false
			}
		}
		if match {
			return true
		}
	}
	return false
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
	case "Secret":
		return []object{secretAsConfigMap(obj)}
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
	for _, c := range podSpec["containers"].([]any) {
		delete(c.(object), "ports")
	}
	volumes, _ := podSpec["volumes"].([]any)
	for _, v := range volumes {
		volume := v.(object)
		if secret, ok := volume["secret"].(object); ok {
			secret["name"] = secret["secretName"]
			delete(secret, "secretName")
			delete(volume, "secret")
			volume["configMap"] = secret
		}
	}
	if _, has := podSpec["hostname"]; !has {
		podSpec["hostname"] = name
	}
	return object{"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": podSpec}
}

// secretAsConfigMap is the ConfigMap holding a Secret's decoded data.
func secretAsConfigMap(secret object) object {
	data := object{}
	encoded, _ := secret["data"].(object)
	for key, value := range encoded {
		decoded, err := base64.StdEncoding.DecodeString(str(value))
		if err != nil {
			fail(fmt.Errorf("secret data %q: %v", key, err))
		}
		data[key] = string(decoded)
	}
	plain, _ := secret["stringData"].(object)
	for key, value := range plain {
		data[key] = value
	}
	return object{"apiVersion": "v1", "kind": "ConfigMap", "metadata": secret["metadata"], "data": data}
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
