#!/bin/sh
# Run INSIDE a node: prove a nested container works without any registry by
# importing a one-file image made from Debian's static busybox.
# Prints "nested-ok" and exits 0 on success.
set -eu
img=${KUBELAB_NESTED_TEST_IMAGE:-kubelab/busybox:local}

if ! docker image inspect "$img" >/dev/null 2>&1; then
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' EXIT
  mkdir "$dir/bin"
  cp "$(command -v busybox)" "$dir/bin/busybox"
  # Applet symlinks so `echo`, `sh` etc. resolve via the default PATH.
  for applet in $("$dir/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$dir/bin/$applet"
  done
  tar -C "$dir" -c . | docker import --change 'CMD ["/bin/sh"]' - "$img" >/dev/null
fi
docker run --rm "$img" echo nested-ok
