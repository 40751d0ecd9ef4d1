#!/bin/sh
# Makes the key and trust store fixtures with Java's keytool (OpenJDK 17,
# Debian's default-jre-headless) and openssl, the way users make them. Run
# once from this folder; the results are committed, so tests need no JRE.
# Every certificate is valid for 36500 days. The CA key is not kept.
#
#   ca.pem                 the CA certificate
#   broker.pem, broker.key the broker's certificate (CN and IP SAN 127.0.0.1,
#                          signed by the CA) and its unencrypted PKCS#8 key
#   client.keystore.jks    JKS key store: the client key pair, chain client+CA
#                          (store password jks-store-pass, key password jks-key-pass)
#   client.keystore.p12    PKCS12 key store made by keytool (password p12-pass)
#   client-openssl.keystore.p12  PKCS12 key store made by openssl (password openssl-pass)
#   client.pem             PEM key store: unencrypted PKCS#8 key + chain
#   client-encrypted.pem   PEM key store: PKCS#8 key encrypted with key-pass + chain
#   truststore.jks         JKS trust store holding the CA (password trust-pass)
#   truststore.p12         Java-form PKCS12 trust store (keytool, password trust-pass)
#   truststore-openssl.p12 openssl-form PKCS12 trust store (-nokeys, password trust-pass)
set -eu
cd "$(dirname "$0")"
rm -f ca.p12 ca.pem broker.* client* truststore* ./*.csr ./*.crt

days=36500
kt() { keytool -noprompt "$@"; }

# The CA.
kt -genkeypair -alias ca -keyalg RSA -keysize 2048 -dname "CN=Tributary Test CA" \
  -ext bc:c -validity $days -keystore ca.p12 -storetype PKCS12 -storepass ca-pass
kt -exportcert -rfc -alias ca -keystore ca.p12 -storepass ca-pass -file ca.pem

# The broker: a key pair whose certificate the CA signs for 127.0.0.1.
kt -genkeypair -alias broker -keyalg RSA -keysize 2048 -dname "CN=127.0.0.1" \
  -validity $days -keystore broker.p12 -storetype PKCS12 -storepass broker-pass
kt -certreq -alias broker -keystore broker.p12 -storepass broker-pass -file broker.csr
kt -gencert -alias ca -keystore ca.p12 -storepass ca-pass -infile broker.csr -outfile broker.crt \
  -rfc -validity $days -ext "SAN=ip:127.0.0.1,dns:localhost" -ext "EKU=serverAuth"
kt -importcert -alias ca -file ca.pem -keystore broker.p12 -storepass broker-pass
kt -importcert -alias broker -file broker.crt -keystore broker.p12 -storepass broker-pass
openssl pkcs12 -in broker.p12 -passin pass:broker-pass -nokeys -clcerts | openssl x509 -out broker.pem
openssl pkcs12 -in broker.p12 -passin pass:broker-pass -nocerts -nodes | openssl pkcs8 -topk8 -nocrypt -out broker.key
rm -f broker.p12

# The client: a key pair the CA signs for client authentication.
kt -genkeypair -alias client -keyalg RSA -keysize 2048 -dname "CN=tributary-client" \
  -validity $days -keystore client.keystore.p12 -storetype PKCS12 -storepass p12-pass
kt -certreq -alias client -keystore client.keystore.p12 -storepass p12-pass -file client.csr
kt -gencert -alias ca -keystore ca.p12 -storepass ca-pass -infile client.csr -outfile client.crt \
  -rfc -validity $days -ext "EKU=clientAuth"
kt -importcert -alias ca -file ca.pem -keystore client.keystore.p12 -storepass p12-pass
kt -importcert -alias client -file client.crt -keystore client.keystore.p12 -storepass p12-pass
kt -importkeystore -srckeystore client.keystore.p12 -srcstoretype PKCS12 -srcstorepass p12-pass \
  -srcalias client -destkeystore client.keystore.jks -deststoretype JKS \
  -deststorepass jks-store-pass -destkeypass jks-key-pass
openssl pkcs12 -in client.keystore.p12 -passin pass:p12-pass -nocerts -nodes | openssl pkcs8 -topk8 -nocrypt -out client.key
openssl pkcs12 -in client.keystore.p12 -passin pass:p12-pass -nokeys -clcerts | openssl x509 -out client.crt
cat client.key client.crt ca.pem > client.pem
openssl pkcs8 -topk8 -in client.key -v2 aes-256-cbc -passout pass:key-pass -out client-encrypted.key
cat client-encrypted.key client.crt ca.pem > client-encrypted.pem
openssl pkcs12 -export -inkey client.key -in client.crt -certfile ca.pem -passout pass:openssl-pass \
  -out client-openssl.keystore.p12
rm -f client.key client-encrypted.key client.crt

# Trust stores holding the CA.
kt -importcert -alias ca -file ca.pem -keystore truststore.jks -storetype JKS -storepass trust-pass
kt -importcert -alias ca -file ca.pem -keystore truststore.p12 -storetype PKCS12 -storepass trust-pass
openssl pkcs12 -export -nokeys -in ca.pem -passout pass:trust-pass -out truststore-openssl.p12

rm -f ./*.csr ./*.crt ca.p12
