#include "CSmartAuthPostgres.h"
