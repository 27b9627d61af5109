// Test fixtures made once with the OpenSSL 3.0 command line (`openssl genpkey`, `openssl pkey -traditional`,
// `openssl ec`, `openssl dgst -sign`). Throwaway keys: never used anywhere else.

enum Fixtures {
    /// RSA-2048 private key, PKCS#8 (`openssl genpkey -algorithm RSA`).
    static let rsaPKCS8 = """
-----BEGIN PRIVATE KEY-----
MIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQChSJjnXSBCwWPA
2GL3ked5EaXiQAXv4Ag1kEJ8ylTYYdii8A0N1G8wMxy9jtwz2rnag2hDPatraVME
BzqsyDSbK5GoNK4fumu/QYQS+TWOwJGI/kSDd5K3BU2M/kbEb5rokzbB54lPRGBu
MSa74Knb2Vl1ScYwZOa4NBX2+p+Dm7hffn2ka1TYV0YcuiOCC78WdCk/MM0nO0WG
damLG6FAJS8SHv8cNfK0Bfin3eHhCkqPhcj/4QcXBo3HPGNguRVBfkZwlwb3EOQA
BjQKl+d6Wx2unsbAU7V56IrQB6fWYFUGrxJOW9Bj3vv3DNtq8WWFNrRi6lSyAuXB
9MTOpaUHAgMBAAECggEAUDBgubP/LMGrf7/2oOHdxT/FivLLIONyIXOa4yHUQouP
ox+YVfZ32+6lzQfBK1UGUANC7R+14Z9J47hWb37RTQ9CCfA7XNIa7Uo9SRO4EcRj
98l4NidW/oF39/CbLeLRke5T7N/aUNuN2Gu+tu3ydjkgNeUa0YfxgMeA3j3o3o1d
MU5u/LgKlW7qOcQx1Kcwy/I+rVf0mBDhqbSmJOzhByyXxHmw5EFGbgcnWxbwWGhC
F5Ghtf5yiSNFdbmKxWNQm5vdT7FN/yoRkXbZhH93qcbXgOssvxNTquh5a6cfsxrt
APxXDoR9/X3ZdEwVRN04kbfAGx3ypvlMcGXueLcjeQKBgQDV2XhSoWboIu35RiiS
NInPnjLU8AV2AoXaNUzh/FOwCWObeLOIxDPjDvfk9vXIF/i4ieTRYLuVeUQtCO3U
wbmDMqrNIKUdTtAZf5wpxYKeu4Mwz+omAmabDyz+e3W28Cr2Afiaw3Q/ur+cnYUF
33No+uCnNaLBmUBS83U8Gbt5SQKBgQDBErqhIgzbMNlDByRcjTAvX5fkKDY537SL
m0ZoVR47AnFWr/XcA98cK2eDIzBYfENBQC515+96MOGtazx2sNT2/KuAKqg5o/qI
UHZ2HP3W0AWKtHSzxLOrmGO3wpOOgrN3khZ0EDOPl5+bSywtAv1RNti426p3VBvA
1BTL8wT7zwKBgQCP+ZEruKTK5zFm4VhRTvP1hyHcARj8Iaiyh64Se8pwO3IHa1Uc
YFQ6q4o0ahyBsbnvrE8UtFa2xOUkmN1en2rhrMwXvMHNoJE0iZi++s39RmuGAoU3
P+iKvsXhM4fGOZ4C8MLKl4r9mSKGM/sqQA24gSedC9xfEWmgL28fnod8mQKBgQCK
gcwfIlVEvaNvAWWle6gQpCxMAkj8da6I5Ii6+i0ouhTi0nK3NpPNGpo0qn7ZS7PX
0JpD/XKAHycXCLIkl7D/yr2hwXhTeX6WYdrJ2vyDKVKAcfqyqC8Yr8cBofXHK55h
7gxrkN/caDKY7nGvjNB7fbQ10WhWGKGcUMjmkt2FYwKBgQCxeB/1KdTPPLgvLMp/
+6S3G7wgeo5p5Ds3KkTP5RF19ouE5oLog6gVXojNTHFGze4eU+oHXg49PPqzcWcd
R4rW71lBukgG9Xe6/IfDUoIfZZzvGOmtMvyKYUE52vkGmN7HO+y6fU5BJuYZfjVe
5kc52UYpxbrNbKSDOXBEUY3v6w==
-----END PRIVATE KEY-----
"""
    /// The same key as PKCS#1 `RSA PRIVATE KEY` (`openssl pkey -traditional`).
    static let rsaPKCS1 = """
-----BEGIN RSA PRIVATE KEY-----
MIIEpQIBAAKCAQEAoUiY510gQsFjwNhi95HneRGl4kAF7+AINZBCfMpU2GHYovAN
DdRvMDMcvY7cM9q52oNoQz2ra2lTBAc6rMg0myuRqDSuH7prv0GEEvk1jsCRiP5E
g3eStwVNjP5GxG+a6JM2weeJT0RgbjEmu+Cp29lZdUnGMGTmuDQV9vqfg5u4X359
pGtU2FdGHLojggu/FnQpPzDNJztFhnWpixuhQCUvEh7/HDXytAX4p93h4QpKj4XI
/+EHFwaNxzxjYLkVQX5GcJcG9xDkAAY0Cpfnelsdrp7GwFO1eeiK0Aen1mBVBq8S
TlvQY9779wzbavFlhTa0YupUsgLlwfTEzqWlBwIDAQABAoIBAFAwYLmz/yzBq3+/
9qDh3cU/xYryyyDjciFzmuMh1EKLj6MfmFX2d9vupc0HwStVBlADQu0fteGfSeO4
Vm9+0U0PQgnwO1zSGu1KPUkTuBHEY/fJeDYnVv6Bd/fwmy3i0ZHuU+zf2lDbjdhr
vrbt8nY5IDXlGtGH8YDHgN496N6NXTFObvy4CpVu6jnEMdSnMMvyPq1X9JgQ4am0
piTs4Qcsl8R5sORBRm4HJ1sW8FhoQheRobX+cokjRXW5isVjUJub3U+xTf8qEZF2
2YR/d6nG14DrLL8TU6roeWunH7Ma7QD8Vw6Eff192XRMFUTdOJG3wBsd8qb5THBl
7ni3I3kCgYEA1dl4UqFm6CLt+UYokjSJz54y1PAFdgKF2jVM4fxTsAljm3iziMQz
4w735Pb1yBf4uInk0WC7lXlELQjt1MG5gzKqzSClHU7QGX+cKcWCnruDMM/qJgJm
mw8s/nt1tvAq9gH4msN0P7q/nJ2FBd9zaPrgpzWiwZlAUvN1PBm7eUkCgYEAwRK6
oSIM2zDZQwckXI0wL1+X5Cg2Od+0i5tGaFUeOwJxVq/13APfHCtngyMwWHxDQUAu
defvejDhrWs8drDU9vyrgCqoOaP6iFB2dhz91tAFirR0s8Szq5hjt8KTjoKzd5IW
dBAzj5efm0ssLQL9UTbYuNuqd1QbwNQUy/ME+88CgYEAj/mRK7ikyucxZuFYUU7z
9Ych3AEY/CGosoeuEnvKcDtyB2tVHGBUOquKNGocgbG576xPFLRWtsTlJJjdXp9q
4azMF7zBzaCRNImYvvrN/UZrhgKFNz/oir7F4TOHxjmeAvDCypeK/ZkihjP7KkAN
uIEnnQvcXxFpoC9vH56HfJkCgYEAioHMHyJVRL2jbwFlpXuoEKQsTAJI/HWuiOSI
uvotKLoU4tJytzaTzRqaNKp+2Uuz19CaQ/1ygB8nFwiyJJew/8q9ocF4U3l+lmHa
ydr8gylSgHH6sqgvGK/HAaH1xyueYe4Ma5Df3GgymO5xr4zQe320NdFoVhihnFDI
5pLdhWMCgYEAsXgf9SnUzzy4LyzKf/uktxu8IHqOaeQ7NypEz+URdfaLhOaC6IOo
FV6IzUxxRs3uHlPqB14OPTz6s3FnHUeK1u9ZQbpIBvV3uvyHw1KCH2Wc7xjprTL8
imFBOdr5Bpjexzvsun1OQSbmGX41XuZHOdlGKcW6zWykgzlwRFGN7+s=
-----END RSA PRIVATE KEY-----
"""
    /// Its public key, SubjectPublicKeyInfo.
    static let rsaPublic = """
-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAoUiY510gQsFjwNhi95Hn
eRGl4kAF7+AINZBCfMpU2GHYovANDdRvMDMcvY7cM9q52oNoQz2ra2lTBAc6rMg0
myuRqDSuH7prv0GEEvk1jsCRiP5Eg3eStwVNjP5GxG+a6JM2weeJT0RgbjEmu+Cp
29lZdUnGMGTmuDQV9vqfg5u4X359pGtU2FdGHLojggu/FnQpPzDNJztFhnWpixuh
QCUvEh7/HDXytAX4p93h4QpKj4XI/+EHFwaNxzxjYLkVQX5GcJcG9xDkAAY0Cpfn
elsdrp7GwFO1eeiK0Aen1mBVBq8STlvQY9779wzbavFlhTa0YupUsgLlwfTEzqWl
BwIDAQAB
-----END PUBLIC KEY-----
"""
    /// An RSA-1024 public key: too weak.
    static let rsa1024Public = """
-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC0ngB9mMtAVtY06C70VYprZ1p/
YTrLe7jIe87mGRA6dfK5oF7ocmWSFAzE6MwjzyJQ9Mz976/xurk3EG6r+vjZvIhr
TbsH8Cr9FlZ5nKv4AA5zK0ZXCnJHGqDwubL6dr6XnD1n0B5+FJvEd3RJrws+n2wd
FHPR43WKdn5rm3ITWQIDAQAB
-----END PUBLIC KEY-----
"""
    /// P-256 private key, PKCS#8.
    static let ecPKCS8 = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgrwXBffx8pHZ4PfaE
aLBc0LkO3FAA6WldJJUCH1JBVJyhRANCAATP1SGtCJxs0ANpv6kVvGxcpL+c9QCB
ALaX0lbmXj0qpl2YMqEPgNM90FuyZ3NVV08hVEcf5g1H+5+7YzCgXINn
-----END PRIVATE KEY-----
"""
    /// The same key as SEC1 `EC PRIVATE KEY` (`openssl ec`).
    static let ecSEC1 = """
-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIK8FwX38fKR2eD32hGiwXNC5DtxQAOlpXSSVAh9SQVScoAoGCCqGSM49
AwEHoUQDQgAEz9UhrQicbNADab+pFbxsXKS/nPUAgQC2l9JW5l49KqZdmDKhD4DT
PdBbsmdzVVdPIVRHH+YNR/ufu2MwoFyDZw==
-----END EC PRIVATE KEY-----
"""
    /// Its public key, SubjectPublicKeyInfo.
    static let ecPublic = """
-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEz9UhrQicbNADab+pFbxsXKS/nPUA
gQC2l9JW5l49KqZdmDKhD4DTPdBbsmdzVVdPIVRHH+YNR/ufu2MwoFyDZw==
-----END PUBLIC KEY-----
"""
    /// A secp256k1 public key: unsupported curve.
    static let secp256k1Public = """
-----BEGIN PUBLIC KEY-----
MFYwEAYHKoZIzj0CAQYFK4EEAAoDQgAEs9PPmxGDwo53+WNzWLZAmGwz4f/LSc3h
7u+ru4ZjQT1wHvx13bVfFN8Jyy5dG390V3gukTxYv37sH3lyuli64g==
-----END PUBLIC KEY-----
"""
    /// The message the interop signatures below sign.
    static let interopMessage = Array("SmartAuth interop".utf8)
    /// `openssl dgst -sha256 -sign rsa.pem`: RSASSA-PKCS1-v1_5 with SHA-256 by ``rsaPKCS8``.
    static let rsaPKCS1SHA256Signature = hex("01cc4075041ebcd802ca2f910bad3aafbd4195e5a9a5f0ffc21eeecf557bb734c1acbdcd5ffd67338aa26672792a5f325bcc42713ea4c7eac8269a98596009870c57d3117d801a95bca666e559bd2d48d7cea7c527de8e490dd13165943543aa6c90a05b73fa0bf840eb72bff0ecc8780dee0a514fbd4349bb4babcbcede70de5fdfad4f0032d2aef5d80ea2564d15df35a9a81b3940a6bb73e6a788f3b6bbd39e8890b1cdd92a14b553c8cf9634d5015ecd8e08e6bf2ff15354bae9d94a7c126ccd4637fa92ae11a494545efaee9339b5a2171d6257f2c87dbe85f5bc8ed4ec1c5150168daad7d65e4028502c98482a3c1900fe8f1d9f653b2afdadfb3feca9")
    /// `openssl dgst -sha384 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest`: PSS, SHA-384.
    static let rsaPSSSHA384Signature = hex("15b80e0082e3cf4b284c1686663c6120aff4b21ea9e227727ed605e0dac2acf18db0f52f00639fc4f0b19972a20e9a1fddcf07b25217f7b4bd187e0e424899dabece431e1fc4ceee844b085b0726262423b350de819cc0bf0ac86eaa44b40885b4be8d85f533d827fce3ad9acc2943eb46f9cfe871ed433af736883c0e0f735a8b1439cea80829e5741645184622648169c1e06c5e58f7cc0fd5b2009b6be5380aa518dd28bfdabda7e873418e4b5d4ce4948d9a5302b5c1eac4b587e7c2821a60eb30ea93d8b0fc7647ab76130b1b1da5e07543f2f12a91ca9baa28a740d7b6c028787098e5dade1a6bac07f27ad30bc0e38fcbc254601bccf0fcd3ef2484fe")
    /// PSS with SHA-256 but the maximum salt length (`rsa_pss_saltlen:max`): must be refused by verifiers that
    /// require salt length == digest length.
    static let rsaPSSMaxSaltSHA256Signature = hex("5e03621b1b7c28438e113b6ae833abbab048df8a6fe659ebe9df421ddb4d088c8ceb9dedf7c73eb0e41528e0dbd2a729b6ea230c37374d378463752e6325c5a2bb89b1fd1323ec7137c4ccd65a13adaa0b9eec2f4e30beb51eac97986a6776470a48b1e352a41a32a6fce4c44897ac503d7be4fef16cf2bc3cce6d30c5e068f1e091dbb3772ad00c2c9a8e104e336b58d02ddaa324a09e44d1d7faeed86ed6ba893e87bcf159396950887d4cd3b4dc64310fb1a0a6a12f305e12311eb3f8769019abeaab5966059e677541b6f1ba27514083c0cf5fafd7ccd1d0fd19fdd68cb042762f4897f8521dd9aadbd7854a568df58cb9f1cba51a44a3b58d0c21711078")
    /// `openssl dgst -sha256 -sign ec.pem`, converted from DER to r || s.
    static let ecP256SHA256Signature = hex("13f897fb566a7bde5194d53b365a34022e67aedc93a381482a8a9d5f7887e7efcb7fa1e7f5f7213f5fb10f6ad6ea327fc571b2158ca23ef2757ce82ee13c9127")
    /// The same ECDSA signature as OpenSSL wrote it, DER.
    static let ecP256SHA256SignatureDER = hex("3045022013f897fb566a7bde5194d53b365a34022e67aedc93a381482a8a9d5f7887e7ef022100cb7fa1e7f5f7213f5fb10f6ad6ea327fc571b2158ca23ef2757ce82ee13c9127")
    /// A raw RSA private operation (`openssl pkeyutl -decrypt -pkeyopt rsa_padding_mode:none`) on a
    /// well-padded EMSA-PKCS1-v1_5 block for SHA-256 whose DigestInfo omits the NULL algorithm parameters: a
    /// lenient parser would accept it; a full comparison of the encoding must not.
    static let rsaPKCS1SHA256WithoutNullSignature = hex("9b1701b9d275af5af4c066f4d1822d1fce492c0d008e7ef2648237f03665dcc6c892507546ddecd10665440fd65f891dcd1b5378179598ef39c86e45df08db1b63777c31594adb53c95fc46d30adad009b9891e65327b8314c8dca2b78e41e5dcd55d2e31aaefc9e89340513404eb6161b36fb49d1cdbb1ed0aae4671c9d816b0b3611b10a1dda5d37f3ea579c2cf5f347e745f2df34989d2471767b279d46c7588b31dfa13b84a3dc035f3a4f0acbe4717a95e2da47c15af7d4e1f8c2d2e540731fb9007da83e7a786ff46e6032130fcc73a18284c06ecaac40e02127fea388b04ae52570c54a3a7afa85f71a31b7ff24a90defde1fa40bdecaff0107e60023")
}
