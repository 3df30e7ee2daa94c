#!/usr/bin/env node
process.stderr.write('router: not implemented yet\n')
process.exitCode = 1
