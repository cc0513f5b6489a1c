# clickhouse-writer: multi-stage build (Maven, then a slim JRE), non-root, health from /ready.
# Build from the repository root: docker build -f docker/clickhouse-writer.Dockerfile -t cdcflow/clickhouse-writer .
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -ntp -pl clickhouse-writer -am package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 cdcflow && apt-get update && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/clickhouse-writer/target/clickhouse-writer.jar /app/clickhouse-writer.jar
USER cdcflow
EXPOSE 8082
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 CMD curl -fsS http://127.0.0.1:8082/ready || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/clickhouse-writer.jar"]
