#include "CSmartAuthHTTP.h"
