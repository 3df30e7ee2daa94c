#!/usr/bin/env node
process.stderr.write('namerd: not implemented yet\n')
process.exitCode = 1
