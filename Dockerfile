FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/tributary .

FROM debian:bookworm-slim
RUN useradd --system --home /var/lib/tributary tributary && mkdir -p /var/lib/tributary && chown tributary /var/lib/tributary
COPY --from=build /out/tributary /usr/local/bin/tributary
COPY configs/ /etc/tributary/
USER tributary
WORKDIR /var/lib/tributary
# Every listener is set here: the REST API on every interface of the
# container (publish it with -p 8083:8083; it has no authentication, and the
# worker logs a warning saying so), the embedded broker and schema registry
# on the container's loopback, for the worker itself. Only what listens
# beyond loopback is exposed.
ENV CONNECT_EMBEDDED_DATA_DIR=/var/lib/tributary/data \
    CONNECT_LISTENERS=http://0.0.0.0:8083 \
    CONNECT_EMBEDDED_KAFKA_LISTENERS=127.0.0.1:9092 \
    CONNECT_EMBEDDED_SCHEMA_REGISTRY_LISTENERS=http://127.0.0.1:8081
EXPOSE 8083
ENTRYPOINT ["/usr/local/bin/tributary"]
