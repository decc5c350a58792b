/* Small things the collector's BPF users share. */
#ifndef LOCKPROBE_BPFUTIL_H
#define LOCKPROBE_BPFUTIL_H

#include <stdint.h>

/* The kernel's id of the BPF map behind fd: 0, or -1 with errno set. */
int	bpf_map_id_of_fd(int fd, uint32_t *id);

#endif
