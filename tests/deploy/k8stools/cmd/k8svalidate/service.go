package main

import api "k8s.io/kubernetes/pkg/apis/core"

// beginServiceCreate is the part of the Service storage's BeginCreate
// (pkg/registry/core/service/storage: normalizeClusterIPs) that runs before
// validation and needs no cluster: a create giving the singular clusterIP
// (e.g. "None" for a headless Service) gets it as clusterIPs. IP allocation
// itself needs a cluster's ranges and is not done.
func beginServiceCreate(service *api.Service) {
	if len(service.Spec.ClusterIP) > 0 && len(service.Spec.ClusterIPs) == 0 {
		service.Spec.ClusterIPs = []string{service.Spec.ClusterIP}
	}
}
