import MESCore
import MESStore
