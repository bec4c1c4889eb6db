/* Non-blocking open of user-named files (openfile.h). */
#include "openfile.h"

#include <fcntl.h>
#include <unistd.h>

int vmm_open_noblock(const char *path, int flags, int mode)
{
	int fd = open(path, flags | O_NONBLOCK | O_CLOEXEC, mode);

	/* On a descriptor just opened F_GETFL and F_SETFL cannot fail (EBADF is their only
	 * error for a plain flag change). */
	if (fd >= 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}
