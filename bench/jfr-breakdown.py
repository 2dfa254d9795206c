#!/usr/bin/env python3
# Share of JFR CPU samples by what the sampled stack is doing (ledger, schema validation, logging, ...).
# Usage: bench/jfr-breakdown.py recording.jfr   (needs the JDK's jfr tool; JAVA_HOME or the Temurin 25 path)
import subprocess, sys, re, collections, os
f = sys.argv[1]
out = subprocess.run([os.path.join(os.environ.get('JAVA_HOME', '/usr/lib/jvm/temurin-25-jdk-amd64'), 'bin', 'jfr'),'print','--events','jdk.ExecutionSample,jdk.NativeMethodSample','--stack-depth','96',f],capture_output=True,text=True).stdout
events = out.split('jdk.')[1:]
cats = collections.OrderedDict([
 ('sqlite / jdbc', ['org.sqlite','org.postgresql','com.zaxxer']),
 ('jdbi', ['org.jdbi']),
 ('schema validation', ['com.networknt','dev.hearth.catalog.InputValidator','SchemaTrees']),
 ('logging (logback)', ['ch.qos.logback']),
 ('metrics (micrometer)', ['io.micrometer']),
 ('outbound http client', ['jdk.internal.net.http','dev.hearth.net.','java.net.http','okhttp3.','okio.']),
 ('helidon server', ['io.helidon']),
 ('jackson', ['com.fasterxml.jackson','tools.jackson']),
])
counts = collections.Counter(); total = {'ExecutionSample':0,'NativeMethodSample':0}
for e in events:
    kind = e.split(' ',1)[0].strip()
    if kind not in total: continue
    total[kind]+=1
    if 'dev.hearth' not in e and kind=='NativeMethodSample': 
        counts[(kind,'(no hearth frame: idle/IO threads)')]+=1; continue
    for c,keys in cats.items():
        if any(k in e for k in keys):
            counts[(kind,c)]+=1; break
    else:
        counts[(kind,'other')]+=1
for kind,n in total.items():
    print(f'{kind}: {n} samples')
    for (k,c),v in sorted(counts.items(), key=lambda x:-x[1]):
        if k==kind: print(f'   {c:40s} {v:6d} {100*v/max(n,1):5.1f}%')
