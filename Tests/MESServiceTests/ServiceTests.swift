import Testing
@testable import MESService
