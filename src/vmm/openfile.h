/* Opening the files the command line names without ever blocking: a FIFO (or another special
 * file) given where a regular file belongs would otherwise block open() until a peer appears,
 * during set-up, before gzvmm can report anything. */
#ifndef VMM_OPENFILE_H
#define VMM_OPENFILE_H

/* open(2) of @path with @flags (O_CLOEXEC added), never blocking in open itself (O_NONBLOCK
 * while opening, cleared afterwards so reads and writes block as usual). The descriptor or -1
 * with errno (ENXIO: a FIFO opened for writing that no process reads). */
int vmm_open_noblock(const char *path, int flags, int mode);

#endif
