# shellcheck shell=bash
# Argo Workflows: the server (the argo CLI run as `argo server`), the controller and the
# executor, each as upstream's image has it: the binary in /bin, uid 8737, a /tmp.
# Sourced by build-images.sh, not run.

argo_workflows_image() { # NAME BINARY
    single_binary "$1" "$2" "/bin/$(basename "$2")"
    add "$1" "$ARGO_WORKFLOWS_VERSION" 8737:8737 "/bin/$(basename "$2")"
}
argo_workflows_binary() { # NAME -> the controller build's binary NAME
    is_built argo-workflows-controller "$ARGO_WORKFLOWS_VERSION" ||
        { log "images: argo-workflows-controller $ARGO_WORKFLOWS_VERSION is not built: run build.sh argo-workflows-controller"; exit 1; }
    printf '%s\n' "$(tool_dir argo-workflows-controller "$ARGO_WORKFLOWS_VERSION")/bin/$1"
}

argo_workflows_image argo-server "$(built_binary argo "$ARGO_WORKFLOWS_VERSION")"
argo_workflows_image workflow-controller "$(argo_workflows_binary workflow-controller)"
argo_workflows_image argoexec "$(argo_workflows_binary argoexec)"
