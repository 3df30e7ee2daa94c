#!/usr/bin/env node
import { main } from '../dist/router/main.js'

await main(process.argv.slice(2))
