#include "CSmartAuthRedis.h"
