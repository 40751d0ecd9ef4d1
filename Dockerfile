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
ENV CONNECT_EMBEDDED_DATA_DIR=/var/lib/tributary/data
EXPOSE 8083 9092
ENTRYPOINT ["/usr/local/bin/tributary"]
