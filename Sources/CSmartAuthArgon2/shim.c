#include "CSmartAuthArgon2.h"
