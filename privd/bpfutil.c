#include "config.h"

#include <string.h>

#include <bpf/bpf.h>

#include "bpfutil.h"

int
bpf_map_id_of_fd(int fd, uint32_t *id)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0)
		return -1;
	*id = info.id;
	return 0;
}
