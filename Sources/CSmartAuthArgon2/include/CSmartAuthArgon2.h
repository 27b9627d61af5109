// The one C module through which SmartAuthCrypto reaches the Argon2 reference library (libargon2).
#ifndef CSMARTAUTH_ARGON2_H
#define CSMARTAUTH_ARGON2_H
#include <argon2.h>
#endif
