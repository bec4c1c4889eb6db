/* Status codes returned by gzhyp to its callers (host hypercalls and internal APIs). The
 * values are the Little-Kernel-style codes GenieZone's driver expects (see docs/abi.md). */
#ifndef GZ_STATUS_H
#define GZ_STATUS_H

#define GZ_OK		       0
#define GZ_ERR_GENERIC	       (-1)
#define GZ_ERR_NOT_FOUND       (-2)
#define GZ_ERR_NO_MEMORY       (-5)
#define GZ_ERR_INVALID_ARGS    (-8)
#define GZ_ERR_ALREADY_EXISTS  (-14)
#define GZ_ERR_NOT_ALLOWED     (-17)
#define GZ_ERR_NOT_SUPPORTED   (-24)
#define GZ_ERR_TOO_BIG	       (-25)
#define GZ_ERR_NOT_IMPLEMENTED (-27)
#define GZ_ERR_BAD_STATE       (-31)
#define GZ_ERR_BUSY	       (-33)
#define GZ_ERR_OUT_OF_RANGE    (-37)
#define GZ_ERR_FAULT	       (-40)
#define GZ_ERR_NO_RESOURCES    (-41)
#define GZ_ERR_ACCESS_DENIED   (-43)

#endif
