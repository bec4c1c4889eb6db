/* Non-blocking open of user-named files (openfile.h). */
#include "openfile.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int vmm_open_noblock(const char *path, int flags, int mode)
{
	int fd = open(path, flags | O_NONBLOCK | O_CLOEXEC, mode);
	int fl;

	if (fd < 0)
		return -1;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}
