#!/usr/bin/env bash
# Runs the cluster jar as spark-submit would, in-process with local[2], on the sample photos, and checks its PNGs
# equal `preempt robustify --batch 1`'s byte for byte: proves the jar holds everything the job needs beside Spark.
# The class path is the cluster jar plus ONLY what a Spark distribution ships (spark-sql_2.13 and its dependencies,
# copied by Maven into WORK/spark-dist from a throw-away POM, with the Jackson version preempt-spark pins, which is
# the one Spark's distribution ships), never the CLI's or preempt-spark's folders.
# Usage: tools/spark-cluster-jar.sh WORK_DIR [robustify options...]   (e.g. --steps 2 --inner-steps 2 --no-check)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$1"; shift
JAR="$ROOT/preempt-cli/target/preempt-cli-0.1.0-SNAPSHOT-cluster.jar"
POM="$ROOT/preempt-spark/pom.xml"
prop() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$POM" | head -1; }
mkdir -p "$WORK"
if [ ! -f "$JAR" ] || [ -n "$(find "$ROOT"/preempt-*/src/main "$ROOT"/preempt-*/pom.xml -newer "$JAR" -print -quit)" ]; then
  (cd "$ROOT" && mvn -q -B -o -DskipTests -Pcluster-jar -pl preempt-cli -am package)
fi
if [ ! -d "$WORK/spark-dist" ]; then
  cat > "$WORK/spark-dist.pom" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>local</groupId><artifactId>spark-dist</artifactId><version>1</version><packaging>pom</packaging>
  <dependencyManagement><dependencies>$(for a in databind core annotations; do echo "
    <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-$a</artifactId>
      <version>$(prop spark.jackson.version)</version></dependency>"; done)
  </dependencies></dependencyManagement>
  <dependencies><dependency><groupId>org.apache.spark</groupId><artifactId>spark-sql_2.13</artifactId>
    <version>$(prop spark.version)</version></dependency></dependencies>
</project>
POM
  # offline first (the build has fetched all of it); online if a POM is missing
  mvn -q -B -o -f "$WORK/spark-dist.pom" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies -DoutputDirectory="$WORK/spark-dist.tmp" \
    || mvn -q -B -f "$WORK/spark-dist.pom" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies -DoutputDirectory="$WORK/spark-dist.tmp"
  mv "$WORK/spark-dist.tmp" "$WORK/spark-dist"
fi
if unzip -l "$JAR" | grep -q ' org/apache/spark/'; then echo "the cluster jar contains Spark classes" >&2; exit 1; fi
# Spark's jars first, as spark-submit orders them (spark.driver.userClassPathFirst=false)
SPARK_CMD="java -Xmx4g -Dai.djl.offline=true -Dai.djl.pytorch.graph_optimizer=false $(prop spark.add.opens)
  -Dlog4j2.configurationFile=$ROOT/preempt-spark/conf/log4j2.properties -Dpreempt.models=$ROOT/models -cp $WORK/spark-dist/*:$JAR ai.preempt.cli.PreemptCli spark"
export SPARK_CMD SPARK_LOCAL_IP=127.0.0.1
"$ROOT/tools/spark-vs-robustify.sh" "$ROOT/samples" "$WORK/compare" "$@"
