#!/usr/bin/env node
import { main } from '../dist/namerctl/main.js'

await main(process.argv.slice(2))
