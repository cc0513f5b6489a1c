# streams-app: multi-stage build (Maven, then a slim JRE), non-root, health from /ready.
# Build from the repository root: docker build -f docker/streams-app.Dockerfile -t cdcflow/streams-app .
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -ntp -pl streams-app -am package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 cdcflow && apt-get update && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/streams-app/target/streams-app.jar /app/streams-app.jar
USER cdcflow
EXPOSE 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 CMD curl -fsS http://127.0.0.1:8081/ready || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/streams-app.jar"]
