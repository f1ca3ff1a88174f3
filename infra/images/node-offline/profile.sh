# shellcheck shell=bash
# Kubelab node shell setup. Sourced by login shells from /etc/profile.d and by
# every interactive bash from /etc/bash.bashrc, so a plain `docker exec -it
# node1 bash` gets the same prompt as a login shell.
case $- in *i*) ;; *) return 0 ;; esac
[ -n "${BASH_VERSION:-}" ] || return 0

PS1='[\h \W]\$ '
# profile.d's bash_completion.sh only runs for login shells.
if [ -z "${BASH_COMPLETION_VERSINFO:-}" ] && [ -r /usr/share/bash-completion/bash_completion ]; then
  # shellcheck source=/dev/null
  . /usr/share/bash-completion/bash_completion
fi
# /etc/profile reads bash.bashrc and then profile.d, so a login shell gets here
# twice; show the motd once. Not exported: a nested `bash -l` shows it again.
if shopt -q login_shell && [ -z "${KUBELAB_MOTD_SHOWN:-}" ] && [ -r /etc/kubelab/motd ]; then
  KUBELAB_MOTD_SHOWN=1
  sed "s/@HOSTNAME@/$(hostname)/g" /etc/kubelab/motd
fi
