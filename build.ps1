#!/usr/bin/env pwsh
# Build tasks of the Metadata Delivery System. Run through the pinned PowerShell tool:
#   dotnet tool restore && dotnet pwsh ./build.ps1 <task>
# Tasks: build | test | run | clean
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'run', 'clean')]
    [string] $Task = 'build',
    [string] $Configuration = 'Release',
    # Extra arguments for 'run' (e.g. --Mds:DataDir=/tmp/mds); the demo is on unless -NoDemo.
    [switch] $NoDemo,
    [Parameter(ValueFromRemainingArguments = $true)]
    [string[]] $Rest = @()
)

$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

function Invoke-Step([string] $Title, [scriptblock] $Step) {
    Write-Host "==> $Title" -ForegroundColor Cyan
    $started = Get-Date
    & $Step
    if ($LASTEXITCODE -ne 0) { throw "$Title failed (exit $LASTEXITCODE)" }
    Write-Host ("    done in {0:n1} s" -f ((Get-Date) - $started).TotalSeconds)
}

# Sums the counters of every .trx result file in a folder.
function Get-TestSummary([string] $Folder) {
    $sum = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0; Files = 0 }
    foreach ($file in Get-ChildItem -Path $Folder -Filter '*.trx' -ErrorAction SilentlyContinue) {
        $counters = ([xml](Get-Content -Raw $file.FullName)).TestRun.ResultSummary.Counters
        $sum.Files++
        $sum.Passed += [int]$counters.passed
        $sum.Failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        $sum.Skipped += [int]$counters.notExecuted
    }
    if ($sum.Files -eq 0) { $sum.Failed = 1 } # no results written: count the run as failed, never as green
    $sum
}

switch ($Task) {
    'build' {
        Invoke-Step "build ($Configuration)" { dotnet build MetadataDelivery.sln -c $Configuration }
    }
    'test' {
        if (-not (Get-Command npm -ErrorAction SilentlyContinue)) { throw 'npm (Node.js) is required by the tests: it installs the pinned OpenAPI linter' }
        Invoke-Step 'test tools: OpenAPI linter (npm ci)' { npm ci --prefix tools/openapi-lint --no-audit --no-fund }
        Invoke-Step 'test tools: S3 server (npm ci)' { npm ci --prefix tools/s3rver --no-audit --no-fund }
        Invoke-Step "build ($Configuration)" { dotnet build MetadataDelivery.sln -c $Configuration }
        if (Test-Path TestResults) { Remove-Item TestResults -Recurse -Force }
        Write-Host '==> test' -ForegroundColor Cyan
        $started = Get-Date
        dotnet test MetadataDelivery.sln -c $Configuration --no-build `
            --results-directory TestResults --logger 'trx' --logger 'console;verbosity=normal'
        $testExit = $LASTEXITCODE
        Write-Host ("    done in {0:n1} s" -f ((Get-Date) - $started).TotalSeconds)
        $summary = Get-TestSummary 'TestResults'
        # The one line CI and the README promise, from the result files rather than the console.
        if ($summary.Skipped -gt 0) { Write-Host "$($summary.Passed) passed, $($summary.Failed) failed, $($summary.Skipped) skipped" }
        else { Write-Host "$($summary.Passed) passed, $($summary.Failed) failed" }
        if ($testExit -ne 0 -or $summary.Failed -gt 0 -or $summary.Passed -eq 0) { exit 1 }
    }
    'run' {
        $demo = if ($NoDemo) { @() } else { @('--demo') }
        dotnet run --project src/MetadataDelivery.Host -c $Configuration -- @demo @Rest
    }
    'clean' {
        Invoke-Step 'clean' { dotnet clean MetadataDelivery.sln -c $Configuration }
        foreach ($d in 'TestResults', 'data', 'demo-data', 'src/MetadataDelivery.Host/data', 'src/MetadataDelivery.Host/demo-data') { if (Test-Path $d) { Remove-Item $d -Recurse -Force } }
    }
}
