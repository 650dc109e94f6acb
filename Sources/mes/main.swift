import MESCLI

MES.main()
