# Shared by scripts/asterisk-lab.sh and scripts/ferretdb.sh: the lab's Debian sid chroot ($CHROOT)
# serves Asterisk and PostgreSQL at once, so /proc and /dev are mounted once and unmounted only when
# nothing runs inside it any more. Source this file after setting CHROOT.

# True when some process has its root inside the chroot.
chroot_in_use() {
  local p root
  for p in /proc/[0-9]*; do
    root=$(readlink "$p/root" 2>/dev/null) || continue
    [[ $root == "$CHROOT" || $root == "$CHROOT"/* ]] && return 0
  done
  return 1
}

is_mounted() { mountpoint -q "$1" 2>/dev/null; }

mount_chroot_system() {
  local d
  for d in proc dev; do
    mkdir -p "$CHROOT/$d"
    is_mounted "$CHROOT/$d" || mount --bind "/$d" "$CHROOT/$d"
  done
}

unmount_chroot() {
  local d
  chroot_in_use && return 0
  for d in dev proc; do
    if is_mounted "$CHROOT/$d"; then umount "$CHROOT/$d" || umount -l "$CHROOT/$d"; fi
  done
}
