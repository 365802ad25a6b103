# Multi-stage build: Maven builds the jars, a slim JRE runs the server jar (no simulator, no benchmark, no
# embedded PostgreSQL: PG_URL is required) as a non-root user.
# No HEALTHCHECK: Kubernetes probes /health/live and /health/ready (see k8s/deployment.yaml).
# Base images by tag: pin them by digest when releasing, e.g. FROM eclipse-temurin:17-jre@sha256:<digest> with the
# digest from `docker buildx imagetools inspect eclipse-temurin:17-jre` (no registry is reachable from the machine this
# project is built on, so no digest here could be checked).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY server/pom.xml ./server/
COPY tools/pom.xml ./tools/
RUN mvn -B -q -pl server dependency:go-offline
COPY conf ./conf
COPY server/src ./server/src
# The server module only: the tools (simulator, demo, benchmark) are never in the image.
RUN mvn -B -q -pl server -DskipTests package

FROM eclipse-temurin:17-jre
LABEL org.opencontainers.image.title="charger-status" \
      org.opencontainers.image.description="OCPP-J charger sessions to the ten back-office statuses, in PostgreSQL, over REST and SSE" \
      org.opencontainers.image.version="0.1.0"
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home app \
    && mkdir -p /app/data \
    && chown -R app:app /app
WORKDIR /app
COPY --from=build /src/target/charger-status-server.jar /app/charger-status.jar
COPY conf /app/conf
USER 10001
EXPOSE 8080 9000 5701
# Container-aware heap: 75 % of the memory limit; exit (and be restarted) rather than limp on OOM.
# G1 always: measured against Parallel and ZGC (docs/performance.md), and the JVM would otherwise pick the
# serial collector in a container it sees with one CPU. Vert.x caches files under /tmp, so the root
# filesystem can be read-only. The flags are on the command line, not in JAVA_TOOL_OPTIONS: the JVM announces
# that variable with a plain-text line on stderr, which made the container's first log line non-JSON.
ENV LOG_FORMAT=json
ENTRYPOINT ["java", "-XX:+UseG1GC", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", \
    "-Dvertx.cacheDirBase=/tmp/vertx-cache", "-jar", "/app/charger-status.jar"]
