# compose.yaml's PgBouncer: Debian's package (1.24 in trixie; named prepared statements in transaction mode
# need 1.21+ with max_prepared_statements) and the configuration beside this file.
FROM debian:trixie-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends pgbouncer \
  && rm -rf /var/lib/apt/lists/*
COPY pgbouncer.ini userlist.txt /etc/pgbouncer/
# PgBouncer refuses to run as root; the package's postgres user owns nothing it needs to write.
USER postgres
EXPOSE 6432
CMD ["pgbouncer", "/etc/pgbouncer/pgbouncer.ini"]
