#include "CSmartAuthBenchReference.h"
