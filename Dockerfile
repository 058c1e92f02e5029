# syntax=docker/dockerfile:1
# ciosim as a container: a static binary (CGO_ENABLED=0) on distroless, running as non-root.
# The default command is the recorder; see docs/deploy.md.
#
#   docker build -t ciosim .
#   docker run -p 8787:8787 -e CIOSIM_SIGNING_KEY ciosim
#   docker run ciosim serve --listen :8788          # the AEP emulator instead

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/ciosim . \
 && mkdir -p /out/spool

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ciosim /ciosim
# The spool (the recorder's --dir) must be writable by the non-root user; mount a volume
# there so captures acknowledged but not yet uploaded survive a restart of the container.
COPY --from=build --chown=65532:65532 /out/spool /var/lib/ciosim/spool
USER 65532:65532
EXPOSE 8787
VOLUME ["/var/lib/ciosim/spool"]
ENTRYPOINT ["/ciosim"]
CMD ["record", "--listen", ":8787", "--dir", "/var/lib/ciosim/spool", "--log-format", "json"]
