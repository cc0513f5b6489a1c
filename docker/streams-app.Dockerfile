# streams-app: multi-stage build (Maven, then a slim JRE), non-root, health from /ready.
# Build from the repository root: docker build -f docker/streams-app.Dockerfile -t cdcflow/streams-app .
# The base images are build arguments: podman or docker without a registry can use local equivalents
# (tests build them from Debian's packages: a JDK with Maven, and a JRE; see README's Docker section).
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY . .
RUN mvn -B -ntp -pl streams-app -am package -DskipTests

FROM ${RUNTIME_IMAGE}
RUN useradd --system --uid 10001 cdcflow && apt-get update && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/streams-app/target/streams-app.jar /app/streams-app.jar
USER cdcflow
EXPOSE 8081
# healthy once /ready answers 200, on the port STREAMS_HTTP_ADDR names (HTTPS when STREAMS_HTTP_TLS_CERT is set)
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 CMD addr="${STREAMS_HTTP_ADDR:-0.0.0.0:8081}"; \
    scheme=http; [ -z "${STREAMS_HTTP_TLS_CERT:-}" ] || scheme=https; curl -kfsS "$scheme://127.0.0.1:${addr##*:}/ready" || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/streams-app.jar"]
